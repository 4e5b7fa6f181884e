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
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.seed.Seeds;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.partition.FederatedPartition;
import io.fedistill.simulation.FailureInjection;
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
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs an experiment: loads the data once, partitions it once, runs every listed algorithm on that
 * partition in the simulation, and writes the run directory.
 */
public final class ExperimentRunner {
    private final ExperimentConfig config;
    private final String command;
    private final PrintStream out;

    /**
     * Creates the runner.
     *
     * @param config the validated experiment
     * @param command the command line, recorded in the provenance
     * @param out where progress and the summary are printed
     */
    public ExperimentRunner(ExperimentConfig config, String command, PrintStream out) {
        this.config = config;
        this.command = command;
        this.out = out;
    }

    /** Loads the experiment's data with its limits applied. */
    public static DatasetSplits loadData(DatasetConfig dataset) {
        DatasetSplits full =
                dataset.name().equals("fashion-mnist-sample")
                        ? FashionMnist.sample()
                        : FashionMnist.load(
                                Optional.ofNullable(dataset.dataDir()).map(Path::of),
                                dataset.download());
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

    /** Runs every algorithm and returns the run directory. */
    public Path run() throws IOException {
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(config.threads()));
        DatasetSplits data = loadData(config.dataset());
        Optional<PublicData> publicData = holdOutPublicData(data);
        int[] privatePool = privatePool(data, publicData);
        FederatedPartition partition =
                FederatedPartition.create(
                        config.partition().partitioner(),
                        data.train().labels(),
                        privatePool,
                        data.train().numClasses(),
                        config.participantIds(),
                        config.partition().localTestFraction(),
                        Seeds.derive(config.seed(), 0, "", "partition"));
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
        List<AlgorithmRun> runs = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        try (RunDirectory dir = RunDirectory.create(Path.of(config.outputDir()), config.name())) {
            Map<String, Object> resolved = new LinkedHashMap<>();
            resolved.put("experiment", config);
            resolved.put("provenance", Provenance.collect(config.seed(), command));
            dir.write("config.yaml", ExperimentLoader.toYaml(resolved));
            dir.writePartition(
                    partition, data.train().labels(), publicData.map(PublicData::indices));
            out.println(
                    "fedistill: " + config.name() + " on " + dataDescription + " -> " + dir.path());
            for (AlgorithmConfig algorithm : config.algorithms()) {
                try {
                    runs.add(runAlgorithm(algorithm, data, partition, publicData, dir));
                } catch (RuntimeException e) {
                    // the other algorithms and every round already in metrics.csv stay valid
                    failed.add(algorithm.label() + ": " + e);
                    out.println("fedistill: " + algorithm.label() + " stopped: " + e);
                }
            }
            String summary = SummaryReport.render(config, dataDescription, runs);
            dir.write("summary.md", summary);
            AccuracyPlot.write(runs, config.name(), dir.path().resolve("accuracy.png"));
            AccuracyPlot.writeAgainstMegabytes(
                    runs, config.name(), dir.path().resolve("accuracy-vs-mb.png"));
            out.println();
            out.println(summary);
            out.println("outputs: " + dir.path());
            if (!failed.isEmpty()) {
                throw new IllegalStateException(
                        "algorithms that stopped early: "
                                + failed
                                + "; completed results are in "
                                + dir.path());
            }
            return dir.path();
        }
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
            RunDirectory dir) {
        Map<String, ModelSpec> models = config.modelsFor(algorithm);
        Map<String, Set<Integer>> crashes = new LinkedHashMap<>();
        config.failures().crashes().forEach((id, rounds) -> crashes.put(id, new HashSet<>(rounds)));
        long start = System.nanoTime();
        try (ProgressBar bar =
                new ProgressBarBuilder()
                        .setTaskName(algorithm.label())
                        .setInitialMax(config.rounds())
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" rounds", 1)
                        .setConsumer(new ConsoleProgressBarConsumer(out))
                        .build()) {
            RoundListener progress =
                    new RoundListener() {
                        @Override
                        public void roundFinished(RoundReport report) {
                            report.evaluation()
                                    .ifPresent(
                                            e ->
                                                    bar.setExtraMessage(
                                                            String.format(
                                                                    Locale.ROOT,
                                                                    "acc %.3f",
                                                                    e.globalAccuracy()
                                                                            .orElse(
                                                                                    e
                                                                                            .testAccuracyMean()))));
                            bar.step();
                        }
                    };
            RunResult result =
                    Simulation.builder()
                            .setData(data)
                            .setPartition(partition)
                            .setModels(models)
                            .setAlgorithm(algorithm.create())
                            .setRounds(config.rounds())
                            .setSeed(config.seed())
                            .optTraining(config.training().settings())
                            .optSelector(
                                    new ParticipantSelector(
                                            config.fraction(), config.minParticipants()))
                            .optEvaluateEvery(config.evaluateEvery())
                            .optDeadline(Duration.ofSeconds(config.deadlineSeconds()))
                            .optFailures(
                                    new FailureInjection(
                                            crashes, config.failures().dropProbability()))
                            .optPublicData(publicData.orElse(null))
                            .addListener(dir.metricsWriter(algorithm.label()))
                            .addListener(progress)
                            .build()
                            .run();
            dir.appendTraffic(algorithm.label(), result.traffic());
            return new AlgorithmRun(
                    algorithm.label(), models, result, (System.nanoTime() - start) / 1e9);
        }
    }
}
