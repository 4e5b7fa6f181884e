package io.fedistill.cli;

import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.StrategyRegistry;
import io.fedistill.cli.config.AlgorithmConfig;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.cli.config.PrivacyConfig;
import io.fedistill.cli.report.AccuracyPlot;
import io.fedistill.cli.report.AlgorithmRun;
import io.fedistill.cli.report.LoggedWarnings;
import io.fedistill.cli.report.Provenance;
import io.fedistill.cli.report.RunDirectory;
import io.fedistill.cli.report.RunLog;
import io.fedistill.cli.report.SummaryReport;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.coordinator.Coordinator;
import io.fedistill.core.coordinator.ParticipantSelector;
import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.coordinator.RunResult;
import io.fedistill.core.federation.FederationSpec;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.privacy.PrivateStrategy;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.store.JdbcRunStore;
import io.fedistill.core.store.StoreException;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.grpc.security.ParticipantAuthenticator;
import io.fedistill.grpc.security.ServerTls;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.simulation.FederationServer;
import io.fedistill.simulation.ParticipantsMissingException;
import io.fedistill.simulation.ServeSettings;
import io.fedistill.simulation.Simulation;
import io.fedistill.simulation.SimulationCheckpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an experiment: loads the data once, partitions it once, runs every listed algorithm on that
 * partition in the simulation, and writes the run directory.
 */
public final class ExperimentRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentRunner.class);

    /** The run store's file in a run directory, unless the experiment names another store. */
    public static final String RUN_STORE = "run.db";

    /** The JDBC prefix of a SQLite store, whose file is the rest of the URL. */
    private static final String SQLITE = "jdbc:sqlite:";

    /** The environment variable that holds the run store's password, if it needs one. */
    public static final String STORE_PASSWORD = "FEDISTILL_STORE_PASSWORD";

    private final ExperimentConfig config;
    private final String command;
    private final PrintStream out;
    private final boolean terminal;
    private Serving serving;

    /**
     * How {@code fedistill serve} runs one algorithm of the experiment: participants join over the
     * network from other processes or hosts.
     *
     * @param bindAddress the address to listen on
     * @param port the port (0: any free one)
     * @param minParticipants participants that must be connected before each round
     * @param joinTimeout how long to wait for every participant
     * @param algorithm the label of the algorithm to serve
     * @param tls the coordinator's TLS, or null for plaintext
     * @param authenticator how participants prove who they are
     * @param plaintextBeyondLoopback whether plaintext is allowed beyond loopback
     * @param coordinatorOnly run the coordinator without model code or data: no dataset is loaded
     *     and the global model is scored by the participants' own test sets; only for algorithms
     *     that aggregate
     */
    record Serving(
            String bindAddress,
            int port,
            int minParticipants,
            Duration joinTimeout,
            String algorithm,
            ServerTls tls,
            ParticipantAuthenticator authenticator,
            boolean plaintextBeyondLoopback,
            boolean coordinatorOnly) {}

    /** Returns whether DJL's engine is on the class path, so that a coordinator may run models. */
    static boolean engineOnClassPath() {
        try {
            Class.forName("ai.djl.engine.Engine", false, ExperimentRunner.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Creates the runner.
     *
     * @param config the validated experiment
     * @param command the command line, recorded in the provenance
     * @param out where progress and the summary are printed
     * @param terminal whether {@code out} is a terminal (progress bars) or a file or pipe (a line
     *     per round)
     */
    public ExperimentRunner(
            ExperimentConfig config, String command, PrintStream out, boolean terminal) {
        this.config = config;
        this.command = command;
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * Runs every algorithm and returns the run directory. Rows are appended as rounds finish; the
     * summary and plots are written at the end, or from the finished rounds when the process is
     * stopped (SIGTERM, Ctrl-C).
     *
     * @throws RunFailedException when an algorithm stopped early or learned nothing (every
     *     participant failed in every round); everything recorded stays in the run directory
     */
    public Path run() throws IOException {
        return execute(Optional.empty());
    }

    /**
     * Resumes a run directory after its process was stopped or killed: algorithms whose rounds are
     * all in the run store are not run again; an interrupted one goes on from the checkpoint after
     * its last recorded round; the CSV files, summary and plots are written again from the stored
     * rounds plus the new ones, each round once. The metrics equal an uninterrupted run's.
     *
     * @throws ConfigException when the directory's store does not hold its run (renamed, copied,
     *     its store missing or unreadable); nothing in the directory is changed
     * @throws RunFailedException as {@link #run()}
     */
    public Path resume(Path runDirectory) throws IOException {
        return execute(Optional.of(runDirectory));
    }

    /**
     * Serves one algorithm of the experiment as a coordinator that participants join over the
     * network, writing the run directory as {@link #run()} does.
     */
    public Path serve(Serving serving) throws IOException {
        this.serving = checked(serving);
        return execute(Optional.empty());
    }

    private Serving checked(Serving serving) {
        AlgorithmConfig algorithm =
                config.algorithms().stream()
                        .filter(a -> a.label().equals(serving.algorithm()))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                "the experiment has no algorithm labelled '"
                                                        + serving.algorithm()
                                                        + "'; its labels: "
                                                        + config.algorithms().stream()
                                                                .map(AlgorithmConfig::label)
                                                                .toList()));
        if (config.attackFor(algorithm).isPresent()) {
            throw new ConfigException(
                    "attack: attacks are simulated by fedistill run; served participants run their"
                            + " own code");
        }
        if (config.dataset().mergeTrainTest() && config.publicData() != null) {
            throw new ConfigException(
                    "dataset.mergeTrainTest with publicData cannot be served: a joining participant"
                            + " draws the public share from the training images alone, so it would"
                            + " not hold the coordinator's public data");
        }
        boolean signed =
                Boolean.TRUE.equals(algorithm.options().get("secure"))
                        && Boolean.TRUE.equals(algorithm.options().get("secureSigned"));
        if (signed && (serving.tls() == null || serving.tls().clientCa().isEmpty())) {
            throw new ConfigException(
                    "algorithms."
                            + algorithm.label()
                            + ": secureSigned needs participants that authenticate with"
                            + " certificates, whose signatures the coordinator checks against the"
                            + " authority that issued them: serve with --client-ca");
        }
        if (serving.coordinatorOnly()) {
            if (!StrategyRegistry.knows(algorithm.name())) {
                throw new ConfigException(
                        algorithm.name()
                                + " trains on the coordinator, which needs model code (DJL and"
                                + " PyTorch) and the dataset; a coordinator without them serves"
                                + " only algorithms that aggregate: "
                                + StrategyRegistry.names());
            }
            // what the data would be checked against otherwise: options, public data, widths
            newAggregatingStrategy(algorithm, FederationSpecs.of(config, algorithm));
        }
        return serving;
    }

    /**
     * Resumes serving a run directory whose coordinator process was stopped or killed: the rounds
     * in its store are kept, the strategy goes on from its checkpoint, and participants that
     * reconnect go back to the state of the last recorded round.
     */
    public Path resumeServing(Path runDirectory, Serving serving) throws IOException {
        this.serving = checked(serving);
        return execute(Optional.of(runDirectory));
    }

    private Path execute(Optional<Path> resumed) throws IOException {
        try (RunLog.Backlog earlier = RunLog.Backlog.start()) {
            // the run id is the directory's name: "runs/x/." must resume run x
            return execute(resumed.map(dir -> dir.toAbsolutePath().normalize()), earlier);
        }
    }

    private Path execute(Optional<Path> resumed, RunLog.Backlog earlier) throws IOException {
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(config.threads()));
        if (resumed.isPresent()) {
            requireRecordedRun(resumed.get(), "resume");
        } else {
            OutputDirectories.require(Path.of(config.outputDir()), "outputDir");
        }
        boolean coordinatorOnly = serving != null && serving.coordinatorOnly();
        Optional<ExperimentData> prepared =
                coordinatorOnly ? Optional.empty() : Optional.of(ExperimentData.prepare(config));
        String dataDescription =
                prepared.map(ExperimentData::description).orElseGet(this::heldByParticipants);
        prepared.ifPresent(
                data -> {
                    preflight(data.data(), data.publicData());
                    data.warnAboutSmallSplits(config.training().batchSize());
                });
        List<String> failed = new ArrayList<>();
        try (RunDirectory dir =
                        resumed.isPresent()
                                ? RunDirectory.reopen(resumed.get(), earlier)
                                : RunDirectory.create(
                                        Path.of(config.outputDir()), config.name(), earlier);
                JdbcRunStore store = openStore(dir.path());
                JvmWorkers workers =
                        new JvmWorkers(
                                dir.path().resolve(ExperimentLoader.RUN_RECORD),
                                dir.path().resolve(RunDirectory.WORKER_LOGS))) {
            String runId = dir.path().getFileName().toString();
            if (resumed.isEmpty()) {
                dir.write(
                        ExperimentLoader.RUN_RECORD,
                        ExperimentLoader.runRecord(
                                config,
                                coordinatorOnly
                                        ? Provenance.collectWithoutEngine(config.seed(), command)
                                        : Provenance.collect(config.seed(), command)));
            }
            store.recordRun(
                    runId,
                    config.name(),
                    config.seed(),
                    Files.readString(dir.path().resolve(ExperimentLoader.RUN_RECORD)));
            if (prepared.isPresent()) {
                ExperimentData data = prepared.get();
                dir.writePartition(
                        data.partition(),
                        data.data().train().labels(),
                        data.publicData().map(PublicData::indices));
            }
            out.println(
                    "fedistill: " + config.name() + " on " + dataDescription + " -> " + dir.path());
            RunReports reports = new RunReports(dir, dataDescription);
            Thread onStop = new Thread(reports::writeInterrupted, "fedistill-interrupted");
            Runtime.getRuntime().addShutdownHook(onStop);
            try {
                for (AlgorithmConfig algorithm : config.algorithms()) {
                    if (serving != null && !serving.algorithm().equals(algorithm.label())) {
                        continue;
                    }
                    try {
                        AlgorithmRun run =
                                runAlgorithm(
                                        algorithm,
                                        prepared,
                                        dir,
                                        reports,
                                        new DurableRounds(store, runId, algorithm.label()),
                                        workers);
                        if (!run.result().anyRoundAggregated()) {
                            failed.add(
                                    algorithm.label()
                                            + " learned nothing: every participant failed in every"
                                            + " round");
                        }
                    } catch (ParticipantsMissingException e) {
                        reports.stoppedEarly();
                        failed.add(algorithm.label() + " stopped: " + e.getMessage());
                        out.println(
                                "fedistill: " + algorithm.label() + " stopped: " + e.getMessage());
                    } catch (RuntimeException e) {
                        // the other algorithms and every round already recorded stay valid
                        LOG.error("{} stopped", algorithm.label(), e);
                        reports.stoppedEarly();
                        failed.add(algorithm.label() + " stopped: " + e);
                        out.println("fedistill: " + algorithm.label() + " stopped: " + e);
                    }
                }
                String summary = reports.writeFinished();
                out.println();
                out.println(summary);
                out.println("outputs: " + dir.path());
            } finally {
                removeShutdownHook(onStop);
            }
            if (!failed.isEmpty()) {
                throw new RunFailedException(
                        String.join("; ", failed) + "; what was recorded is in " + dir.path());
            }
            return dir.path();
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it writes the interrupted run's reports
        }
    }

    /**
     * The rounds recorded so far, by algorithm, and the one place that writes {@code summary.md}
     * and the plots from them: once, at the end of the run or when the process is stopped.
     */
    private final class RunReports {
        private final RunDirectory dir;
        private final String dataDescription;
        private final List<AlgorithmRun> finished = new ArrayList<>();
        private AlgorithmConfig current;
        private Map<String, ModelSpec> currentModels;
        private final List<RoundReport> currentRounds = new ArrayList<>();
        private long currentStart;
        private double recordedSeconds;
        private boolean written;

        RunReports(RunDirectory dir, String dataDescription) {
            this.dir = dir;
            this.dataDescription = dataDescription;
        }

        /**
         * Starts an algorithm's report from the rounds an earlier process recorded (none for a
         * fresh run): its wall time is theirs plus this process's.
         */
        synchronized void started(
                AlgorithmConfig algorithm,
                Map<String, ModelSpec> models,
                List<RoundReport> recorded) {
            current = algorithm;
            currentModels = models;
            currentRounds.clear();
            currentRounds.addAll(recorded);
            recordedSeconds = recorded.stream().mapToDouble(RoundReport::wallSeconds).sum();
            currentStart = System.nanoTime();
        }

        RoundListener recorder() {
            return new RoundListener() {
                @Override
                public void roundFinished(RoundReport report) {
                    synchronized (RunReports.this) {
                        currentRounds.add(report);
                    }
                }
            };
        }

        synchronized AlgorithmRun finished() {
            AlgorithmRun run = currentRun();
            finished.add(run);
            current = null;
            return run;
        }

        /** Keeps the finished rounds of an algorithm that stopped with an error, if it started. */
        synchronized void stoppedEarly() {
            if (current != null) {
                finished();
            }
        }

        private AlgorithmRun currentRun() {
            return new AlgorithmRun(
                    current.label(),
                    currentModels,
                    new RunResult(currentRounds),
                    recordedSeconds + (System.nanoTime() - currentStart) / 1e9);
        }

        synchronized String writeFinished() throws IOException {
            return write(List.copyOf(finished), Optional.empty());
        }

        /** Writes the reports of a run the process is stopping in the middle of. */
        synchronized void writeInterrupted() {
            if (written) {
                return;
            }
            List<AlgorithmRun> runs = new ArrayList<>(finished);
            String where =
                    "after "
                            + finished.size()
                            + " of "
                            + config.algorithms().size()
                            + " algorithms";
            if (current != null) {
                runs.add(currentRun());
                where = "during round " + (currentRounds.size() + 1) + " of " + current.label();
            }
            try {
                write(runs, Optional.of(where));
                System.err.println(
                        "fedistill: interrupted "
                                + where
                                + "; summary.md and the plots hold the finished rounds: "
                                + dir.path());
            } catch (IOException | RuntimeException e) {
                System.err.println(
                        "fedistill: interrupted " + where + "; could not write the summary: " + e);
            }
        }

        private String write(List<AlgorithmRun> runs, Optional<String> interruption)
                throws IOException {
            written = true;
            return writeSummaryAndPlots(dir.path(), dataDescription, runs, interruption);
        }
    }

    /** Writes {@code summary.md} and the plots of a run directory; returns the summary. */
    private String writeSummaryAndPlots(
            Path dir,
            String dataDescription,
            List<AlgorithmRun> runs,
            Optional<String> interruption)
            throws IOException {
        String summary =
                SummaryReport.render(
                        config, dataDescription, runs, interruption, LoggedWarnings.read(dir));
        Files.writeString(dir.resolve("summary.md"), summary);
        AccuracyPlot.write(runs, config.name(), dir.resolve("accuracy.png"));
        AccuracyPlot.writeAgainstMegabytes(runs, config.name(), dir.resolve("accuracy-vs-mb.png"));
        return summary;
    }

    /**
     * Writes {@code summary.md} and the plots of a run directory again from the rounds in its
     * store, running nothing and leaving the other files as they are (a summary deleted or from an
     * older version, a run stopped too hard to write one, which the summary then says). Each
     * algorithm's wall time is its rounds' own, without the set-up the run's process also spent; an
     * algorithm without recorded rounds is left out. {@code run --resume} finishes an unfinished
     * run instead.
     *
     * @throws ConfigException when the directory's store does not hold its run, or holds no round
     */
    public Path report(Path runDirectory) throws IOException {
        Path dir = runDirectory.toAbsolutePath().normalize();
        requireRecordedRun(dir, "report");
        String runId = dir.getFileName().toString();
        List<AlgorithmRun> runs = new ArrayList<>();
        Optional<String> interruption = Optional.empty();
        try (JdbcRunStore store = openStore(dir)) {
            for (AlgorithmConfig algorithm : config.algorithms()) {
                List<RoundReport> recorded =
                        new DurableRounds(store, runId, algorithm.label()).recordedRounds();
                if (recorded.isEmpty()) {
                    continue;
                }
                if (recorded.size() < config.rounds() && interruption.isEmpty()) {
                    interruption =
                            Optional.of(
                                    "during round "
                                            + (recorded.size() + 1)
                                            + " of "
                                            + algorithm.label());
                }
                runs.add(
                        new AlgorithmRun(
                                algorithm.label(),
                                config.modelsFor(algorithm),
                                new RunResult(recorded),
                                recorded.stream().mapToDouble(RoundReport::wallSeconds).sum()));
            }
        }
        if (runs.isEmpty()) {
            throw new ConfigException(
                    dir + " holds no finished round to report; nothing was changed");
        }
        out.println(writeSummaryAndPlots(dir, reportedDataDescription(dir), runs, interruption));
        out.println("outputs: " + dir);
        return dir;
    }

    /**
     * Returns the data description of a recorded run: as the run had it, from the dataset, or, when
     * the dataset is not at hand here (a run directory copied elsewhere), its name alone.
     */
    private String reportedDataDescription(Path dir) throws IOException {
        if (Files.readString(dir.resolve(ExperimentLoader.RUN_RECORD))
                .contains(Provenance.WITHOUT_ENGINE)) {
            return heldByParticipants();
        }
        try {
            return ExperimentData.prepare(config).description();
        } catch (RuntimeException e) {
            LOG.warn("the dataset is not at hand ({}); the summary names it only", e.getMessage());
            return config.dataset().name();
        }
    }

    private String heldByParticipants() {
        return config.dataset().name() + " (held by the participants)";
    }

    /** Checks every algorithm against its model assignment before any training starts. */
    private void preflight(DatasetSplits data, Optional<PublicData> publicData) {
        for (AlgorithmConfig algorithm : config.algorithms()) {
            FederationSetup setup =
                    new FederationSetup(
                            config.seed(),
                            data.train().imageShape(),
                            data.train().numClasses(),
                            config.modelsFor(algorithm),
                            config.training().settings(),
                            publicData);
            try {
                algorithm.create().validate(setup);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "algorithms." + algorithm.label() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Returns the run's store URL: the experiment's {@code store}, or SQLite in the directory. */
    private String storeUrl(Path runDirectory) {
        return config.store() != null ? config.store() : SQLITE + runDirectory.resolve(RUN_STORE);
    }

    /** Opens the run's store ({@link #storeUrl}). */
    private JdbcRunStore openStore(Path runDirectory) {
        return JdbcRunStore.open(
                storeUrl(runDirectory), Optional.ofNullable(System.getenv(STORE_PASSWORD)));
    }

    /**
     * Refuses to resume (or report) a directory whose store does not hold its run (a directory
     * copied or renamed, its {@code run.db} deleted, or one that cannot be read) before anything in
     * it is rewritten: resuming it would run everything again and overwrite the recorded files.
     *
     * @param purpose what the directory is opened for: "resume" or "report"
     * @throws ConfigException naming the directory and what its store lacks
     */
    private void requireRecordedRun(Path runDirectory, String purpose) {
        String runId = runDirectory.getFileName().toString();
        String url = storeUrl(runDirectory);
        Path sqliteFile = url.startsWith(SQLITE) ? Path.of(url.substring(SQLITE.length())) : null;
        // opening a store creates its tables: look before a missing or empty file is written
        if (sqliteFile != null
                && !(Files.isRegularFile(sqliteFile) && sqliteFile.toFile().length() > 0)) {
            throw new ConfigException(
                    runDirectory
                            + (config.store() == null
                                    ? " has no " + RUN_STORE
                                    : "'s store " + sqliteFile + " is missing or empty")
                            + ": nothing recorded to "
                            + purpose
                            + " from; run its config.yaml afresh instead");
        }
        List<String> runs;
        try (JdbcRunStore store = openStore(runDirectory)) {
            runs = store.runs();
        } catch (StoreException e) {
            throw new ConfigException(
                    "cannot "
                            + purpose
                            + " "
                            + runDirectory
                            + ": "
                            + e.getMessage()
                            + "; nothing was changed",
                    e);
        }
        if (!runs.contains(runId)) {
            throw new ConfigException(
                    "cannot "
                            + purpose
                            + " "
                            + runDirectory
                            + ": its run store holds no run '"
                            + runId
                            + "' (the run id is the directory's name; was it renamed or copied?"
                            + " the store holds "
                            + (runs.isEmpty() ? "no run" : namedBriefly(runs))
                            + ")");
        }
    }

    /** Names the first five runs of a store (a shared one may hold many), and how many more. */
    private static String namedBriefly(List<String> runs) {
        return String.join(", ", runs.subList(0, Math.min(5, runs.size())))
                + (runs.size() > 5 ? " and " + (runs.size() - 5) + " more" : "");
    }

    private AlgorithmRun runAlgorithm(
            AlgorithmConfig algorithm,
            Optional<ExperimentData> prepared,
            RunDirectory dir,
            RunReports reports,
            DurableRounds durable,
            JvmWorkers workers)
            throws IOException {
        List<RoundReport> recorded = durable.recordedRounds();
        reports.started(algorithm, config.modelsFor(algorithm), recorded);
        RoundListener rows = dir.metricsWriter(algorithm.label());
        recorded.forEach(rows::roundFinished);
        RoundListener recorder = reports.recorder();
        if (recorded.size() == config.rounds()) {
            out.println("fedistill: " + algorithm.label() + " finished before; not run again");
            return reports.finished();
        }
        if (prepared.isEmpty()) {
            return serveWithoutModelCode(algorithm, reports, List.of(rows, recorder), durable);
        }
        Simulation.Builder simulation = simulation(config, algorithm, prepared.get());
        // served participants keep their own state and go back to the resumed round when
        // welcomed; in process and in worker processes, checkpoints hold it
        boolean participantsKeepState = serving != null;
        durable.resumePoint().ifPresent(simulation::optResumeFrom);
        if (serving != null) {
            simulation.optServe(serveSettings(algorithm, FederationSpecs.of(config, algorithm)));
        } else {
            simulation.optCheckpoints(durable::record);
            if (config.workers() > 0) {
                simulation.optWorkers(config.workers(), workers.forAlgorithm(algorithm.label()));
            }
        }
        try (RoundProgress progress =
                new RoundProgress(algorithm.label(), config.rounds(), out, terminal)) {
            simulation
                    .addListener(rows)
                    .addListener(recorder)
                    .addListener(progress)
                    .addListener(durable.listener(participantsKeepState))
                    .build()
                    .run();
        }
        return reports.finished();
    }

    /**
     * Builds the coordinator half of an algorithm that only aggregates from its federation spec,
     * with no model code.
     *
     * @throws ConfigException naming the algorithm and what does not fit
     */
    private static Strategy newAggregatingStrategy(AlgorithmConfig algorithm, FederationSpec spec) {
        try {
            return StrategyRegistry.newStrategy(spec);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("algorithms." + algorithm.label() + ": " + e.getMessage(), e);
        }
    }

    /** Returns how {@link #serving} serves an algorithm, and what its participants are told. */
    private ServeSettings serveSettings(AlgorithmConfig algorithm, FederationSpec spec) {
        return new ServeSettings(
                serving.bindAddress(),
                serving.port(),
                serving.minParticipants(),
                serving.joinTimeout(),
                FederationSpecs.toJson(spec),
                algorithm.label(),
                port ->
                        out.println(
                                "fedistill: serving "
                                        + algorithm.label()
                                        + " on "
                                        + serving.bindAddress()
                                        + ":"
                                        + port
                                        + "; waiting for "
                                        + serving.minParticipants()
                                        + " participants"),
                serving.tls(),
                serving.authenticator(),
                serving.plaintextBeyondLoopback());
    }

    /**
     * Serves an algorithm that only aggregates with no model code and no data: the strategy is
     * built from the federation spec, FedAvg's first model comes from a participant, and the global
     * model is scored by the participants' own test sets.
     */
    private AlgorithmRun serveWithoutModelCode(
            AlgorithmConfig algorithm,
            RunReports reports,
            List<RoundListener> recording,
            DurableRounds durable) {
        FederationSpec spec = FederationSpecs.of(config, algorithm);
        Optional<PrivacyConfig> privacy = config.privacyFor(algorithm);
        Strategy strategy =
                privacy.<Strategy>map(
                                dp ->
                                        new PrivateStrategy(
                                                newAggregatingStrategy(algorithm, spec),
                                                dp.settings(),
                                                config.fraction(),
                                                Codec.forName(config.codecFor(algorithm))))
                        .orElseGet(() -> newAggregatingStrategy(algorithm, spec));
        ParticipantSelector selector =
                new ParticipantSelector(config.fraction(), config.minParticipants());
        Coordinator.Builder coordinator =
                Coordinator.builder()
                        .setStrategy(strategy)
                        .setRounds(config.rounds())
                        .setSeed(config.seed())
                        // differential privacy's accountant assumes participants sampled
                        // independently
                        .optSelector(
                                privacy.isPresent() ? selector.withPoissonSampling() : selector)
                        .optEvaluateEvery(config.evaluateEvery())
                        .optDeadline(Duration.ofSeconds(config.deadlineSeconds()))
                        .optGlobalScoreFromParticipants();
        int resumedAfter = 0;
        Optional<SimulationCheckpoint> resume = durable.resumePoint();
        if (resume.isPresent()) {
            // participants keep their own state and go back to this round when welcomed
            coordinator.optResume(resume.get().completedRounds(), resume.get().strategy());
            resumedAfter = resume.get().completedRounds();
        }
        try (RoundProgress progress =
                new RoundProgress(algorithm.label(), config.rounds(), out, terminal)) {
            recording.forEach(coordinator::addListener);
            coordinator.addListener(progress).addListener(durable.listener(true));
            FederationServer.serve(
                    coordinator,
                    spec.participantIds(),
                    config.seed(),
                    Codec.forName(spec.codec()),
                    serveSettings(algorithm, spec),
                    resumedAfter);
        }
        return reports.finished();
    }

    /**
     * Returns the simulation of one algorithm of the experiment, without listeners: what the run
     * executes and what every worker process builds again to host its participants.
     */
    static Simulation.Builder simulation(
            ExperimentConfig config, AlgorithmConfig algorithm, ExperimentData prepared) {
        Map<String, Set<Integer>> crashes = new LinkedHashMap<>();
        config.failures().crashes().forEach((id, rounds) -> crashes.put(id, new HashSet<>(rounds)));
        return Simulation.builder()
                .setData(prepared.data())
                .setPartition(prepared.partition())
                .setModels(config.modelsFor(algorithm))
                .setAlgorithm(algorithm.create())
                .setRounds(config.rounds())
                .setSeed(config.seed())
                .optTraining(config.training().settings())
                .optSelector(new ParticipantSelector(config.fraction(), config.minParticipants()))
                .optEvaluateEvery(config.evaluateEvery())
                .optDeadline(Duration.ofSeconds(config.deadlineSeconds()))
                .optFailures(new FailureInjection(crashes, config.failures().dropProbability()))
                .optPublicData(prepared.publicData().orElse(null))
                .optCodec(Codec.forName(config.codecFor(algorithm)))
                .optAttack(
                        config.attackFor(algorithm)
                                .map(attack -> attack.attack(config.seed()))
                                .orElse(null))
                .optPrivacy(config.privacyFor(algorithm).map(PrivacyConfig::settings).orElse(null));
    }
}
