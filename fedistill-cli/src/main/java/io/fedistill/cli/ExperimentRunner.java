package io.fedistill.cli;

import io.fedistill.algorithms.FederationSetup;
import io.fedistill.cli.config.AlgorithmConfig;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.DatasetConfig;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.cli.report.AccuracyPlot;
import io.fedistill.cli.report.AlgorithmRun;
import io.fedistill.cli.report.Provenance;
import io.fedistill.cli.report.RunDirectory;
import io.fedistill.cli.report.SummaryReport;
import io.fedistill.core.coordinator.ParticipantSelector;
import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.coordinator.RunResult;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.seed.Seeds;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.partition.FederatedPartition;
import io.fedistill.simulation.Simulation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an experiment: loads the data once, partitions it once, runs every listed algorithm on that
 * partition in the simulation, and writes the run directory.
 */
public final class ExperimentRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentRunner.class);

    private final ExperimentConfig config;
    private final String command;
    private final PrintStream out;
    private final boolean terminal;

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

    /** Loads the experiment's data with its limits applied. */
    public static DatasetSplits loadData(DatasetConfig dataset) {
        DatasetSplits full =
                dataset.name().equals("fashion-mnist-sample")
                        ? FashionMnist.sample()
                        : FashionMnist.load(
                                Optional.ofNullable(dataset.dataDir()).map(Path::of),
                                dataset.download(),
                                dataset.verifyChecksums());
        int train =
                dataset.trainLimit() == null
                        ? full.train().size()
                        : Math.min(dataset.trainLimit(), full.train().size());
        int test =
                dataset.testLimit() == null
                        ? full.test().size()
                        : Math.min(dataset.testLimit(), full.test().size());
        return new DatasetSplits(full.train().head(train), full.test().head(test));
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
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(config.threads()));
        DatasetSplits data = loadData(config.dataset());
        Optional<PublicData> publicData = holdOutPublicData(data);
        int[] privatePool = privatePool(data, publicData);
        FederatedPartition partition = partition(data, privatePool, publicData);
        String dataDescription =
                String.format(
                        Locale.ROOT,
                        "%s (%d train, %d test%s)",
                        config.dataset().name(),
                        data.train().size(),
                        data.test().size(),
                        publicData
                                .map(
                                        p ->
                                                String.format(
                                                        Locale.ROOT,
                                                        ", of the training images %d held out as %s public data",
                                                        p.size(),
                                                        p.labeled() ? "labeled" : "unlabeled"))
                                .orElse(""));
        preflight(data, publicData);
        warnAboutSmallSplits(partition);
        List<String> failed = new ArrayList<>();
        try (RunDirectory dir = RunDirectory.create(Path.of(config.outputDir()), config.name())) {
            dir.write(
                    ExperimentLoader.RUN_RECORD,
                    ExperimentLoader.runRecord(config, Provenance.collect(config.seed(), command)));
            dir.writePartition(
                    partition, data.train().labels(), publicData.map(PublicData::indices));
            out.println(
                    "fedistill: " + config.name() + " on " + dataDescription + " -> " + dir.path());
            RunReports reports = new RunReports(dir, dataDescription);
            Thread onStop = new Thread(reports::writeInterrupted, "fedistill-interrupted");
            Runtime.getRuntime().addShutdownHook(onStop);
            try {
                for (AlgorithmConfig algorithm : config.algorithms()) {
                    try {
                        AlgorithmRun run =
                                runAlgorithm(algorithm, data, partition, publicData, dir, reports);
                        if (!run.result().anyRoundAggregated()) {
                            failed.add(
                                    algorithm.label()
                                            + " learned nothing: every participant failed in every"
                                            + " round");
                        }
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
        private boolean written;

        RunReports(RunDirectory dir, String dataDescription) {
            this.dir = dir;
            this.dataDescription = dataDescription;
        }

        synchronized void started(AlgorithmConfig algorithm, Map<String, ModelSpec> models) {
            current = algorithm;
            currentModels = models;
            currentRounds.clear();
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
                    (System.nanoTime() - currentStart) / 1e9);
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
            String summary = SummaryReport.render(config, dataDescription, runs, interruption);
            dir.write("summary.md", summary);
            AccuracyPlot.write(runs, config.name(), dir.path().resolve("accuracy.png"));
            AccuracyPlot.writeAgainstMegabytes(
                    runs, config.name(), dir.path().resolve("accuracy-vs-mb.png"));
            return summary;
        }
    }

    /** Partitions the private pool, turning a split that cannot be made into a config error. */
    private FederatedPartition partition(
            DatasetSplits data, int[] privatePool, Optional<PublicData> publicData) {
        if (config.participants() > privatePool.length) {
            throw new ConfigException(
                    "participants "
                            + config.participants()
                            + " is more than the "
                            + privatePool.length
                            + " training samples to share among them ("
                            + config.dataset().name()
                            + publicData
                                    .map(p -> ", after " + p.size() + " held out as public data")
                                    .orElse("")
                            + "); use at most "
                            + privatePool.length
                            + " participants, or more data");
        }
        try {
            return FederatedPartition.create(
                    config.partition().partitioner(),
                    data.train().labels(),
                    privatePool,
                    data.train().numClasses(),
                    config.participantIds(),
                    config.partition().localTestFraction(),
                    Seeds.derive(config.seed(), 0, "", "partition"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "partition ("
                            + config.partition().partitioner().describe()
                            + ", "
                            + config.participants()
                            + " participants, "
                            + privatePool.length
                            + " samples): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Warns, naming them, about participants whose training split is smaller than one batch. */
    private void warnAboutSmallSplits(FederatedPartition partition) {
        int batch = config.training().batchSize();
        List<String> small =
                partition.splits().stream()
                        .filter(s -> s.trainIndices().length < batch)
                        .map(s -> s.participantId() + " (" + s.trainIndices().length + ")")
                        .toList();
        if (small.isEmpty()) {
            return;
        }
        LOG.warn(
                "training.batchSize {} is larger than the training split of {} participant(s): {}{};"
                        + " each trains on one smaller batch per epoch",
                batch,
                small.size(),
                String.join(", ", small.subList(0, Math.min(10, small.size()))),
                small.size() > 10 ? " and " + (small.size() - 10) + " more" : "");
    }

    /** Holds a seeded random share of the training images out as public data, if configured. */
    private Optional<PublicData> holdOutPublicData(DatasetSplits data) {
        if (config.publicData() == null) {
            return Optional.empty();
        }
        int size = config.publicData().size();
        if (size >= data.train().size()) {
            throw new ConfigException(
                    "publicData.size "
                            + size
                            + " leaves no private data in a training set of "
                            + data.train().size()
                            + " images");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.train().size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Seeds.derive(config.seed(), 0, "", "public-data")));
        int[] indices =
                order.subList(0, size).stream().mapToInt(Integer::intValue).sorted().toArray();
        return Optional.of(new PublicData(data.train(), indices, config.publicData().labeled()));
    }

    private static int[] privatePool(DatasetSplits data, Optional<PublicData> publicData) {
        BitSet held = new BitSet();
        publicData.ifPresent(p -> Arrays.stream(p.indices()).forEach(held::set));
        return IntStream.range(0, data.train().size()).filter(i -> !held.get(i)).toArray();
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

    private AlgorithmRun runAlgorithm(
            AlgorithmConfig algorithm,
            DatasetSplits data,
            FederatedPartition partition,
            Optional<PublicData> publicData,
            RunDirectory dir,
            RunReports reports) {
        Map<String, ModelSpec> models = config.modelsFor(algorithm);
        Map<String, Set<Integer>> crashes = new LinkedHashMap<>();
        config.failures().crashes().forEach((id, rounds) -> crashes.put(id, new HashSet<>(rounds)));
        reports.started(algorithm, models);
        try (RoundProgress progress =
                new RoundProgress(algorithm.label(), config.rounds(), out, terminal)) {
            Simulation.builder()
                    .setData(data)
                    .setPartition(partition)
                    .setModels(models)
                    .setAlgorithm(algorithm.create())
                    .setRounds(config.rounds())
                    .setSeed(config.seed())
                    .optTraining(config.training().settings())
                    .optSelector(
                            new ParticipantSelector(config.fraction(), config.minParticipants()))
                    .optEvaluateEvery(config.evaluateEvery())
                    .optDeadline(Duration.ofSeconds(config.deadlineSeconds()))
                    .optFailures(new FailureInjection(crashes, config.failures().dropProbability()))
                    .optPublicData(publicData.orElse(null))
                    .addListener(dir.metricsWriter(algorithm.label()))
                    .addListener(reports.recorder())
                    .addListener(progress)
                    .build()
                    .run();
        }
        return reports.finished();
    }
}
