package io.fedistill.cli.bench;

import io.fedistill.algorithms.faug.ConditionalGan;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainingSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code fedistill bench overhead}: the simulation-overhead benchmark of docs/BENCHMARKS.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run benchmarks.",
        subcommands = {
            BenchCommand.Overhead.class,
            BenchCommand.Runtimes.class,
            BenchCommand.TrainAlone.class,
            BenchCommand.Fleet.class,
            BenchCommand.FleetAgents.class,
            BenchCommand.Idle.class,
            BenchCommand.SecureAggregation.class,
            BenchCommand.Gan.class
        })
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Where a benchmark reads Fashion-MNIST from: a directory, the usual places, or the sample. */
    static final class DataChoice {
        @Option(names = "--data-dir", description = "directory holding Fashion-MNIST")
        private Path dataDir;

        @Option(
                names = "--sample",
                description = "use the embedded sample instead of the full dataset")
        private boolean sample;

        DatasetSplits load() {
            return sample
                    ? FashionMnist.sample()
                    : FashionMnist.load(Optional.ofNullable(dataDir), true, true);
        }
    }

    /**
     * Keeps the first {@code participants * samplesPerParticipant} training samples, refusing a
     * request the training set cannot meet.
     */
    private static DatasetSplits trainingHead(
            DatasetSplits data, int participants, int samplesPerParticipant) {
        long wanted = (long) samplesPerParticipant * participants;
        if (samplesPerParticipant < 1 || wanted > data.train().size()) {
            throw new IllegalArgumentException(
                    participants
                            + " participants of "
                            + samplesPerParticipant
                            + " samples need "
                            + wanted
                            + ", the training set holds "
                            + data.train().size());
        }
        return new DatasetSplits(data.train().head((int) wanted), data.test());
    }

    /** The memory of idle virtual participants. */
    @Command(
            name = "idle",
            mixinStandardHelpOptions = true,
            description =
                    "Run one round of many virtual participants and report the memory they hold"
                            + " while idle.")
    static final class Idle implements Callable<Integer> {
        @Option(
                names = "--participants",
                defaultValue = "10000",
                description = "participants (default ${DEFAULT-VALUE})")
        private int participants;

        @Option(
                names = "--samples-per-participant",
                defaultValue = "5",
                description = "training samples each (default ${DEFAULT-VALUE})")
        private int samplesPerParticipant;

        @Option(
                names = "--model",
                defaultValue = "mlp",
                description = "architecture (default ${DEFAULT-VALUE})")
        private String model;

        @Option(
                names = "--algorithm",
                defaultValue = "fd",
                description = "algorithm of the round (default ${DEFAULT-VALUE})")
        private String algorithm;

        @Option(names = "--data-dir", description = "directory holding Fashion-MNIST")
        private Path dataDir;

        @Override
        public Integer call() {
            DatasetSplits data =
                    trainingHead(
                            FashionMnist.load(Optional.ofNullable(dataDir), true, true),
                            participants,
                            samplesPerParticipant);
            new IdleParticipantsBenchmark(
                            data,
                            ModelSpec.parse(model),
                            participants,
                            algorithm,
                            TrainingSettings.defaults())
                    .run(System.out);
            return 0;
        }
    }

    /** FedAvg round vs centralized epoch. */
    @Command(
            name = "overhead",
            mixinStandardHelpOptions = true,
            description =
                    "Rounds of the given algorithms (IID participants, 1 epoch) vs one centralized epoch on"
                            + " Fashion-MNIST.")
    static final class Overhead implements Callable<Integer> {
        @Option(
                names = "--model",
                defaultValue = "lenet",
                description = "architecture (default ${DEFAULT-VALUE})")
        private String model;

        @Option(
                names = "--participants",
                defaultValue = "10",
                description = "participants (default ${DEFAULT-VALUE})")
        private int participants;

        @Option(
                names = "--batch-size",
                defaultValue = "64",
                description = "batch size (default ${DEFAULT-VALUE})")
        private int batchSize;

        @Option(
                names = "--repeats",
                defaultValue = "3",
                description = "alternating repeats (default ${DEFAULT-VALUE})")
        private int repeats;

        @Option(
                names = "--samples-per-participant",
                defaultValue = "0",
                description =
                        "samples each participant holds, taken from the start of the training set"
                                + " (default: the whole training set split)")
        private int samplesPerParticipant;

        @Option(
                names = "--algorithms",
                split = ",",
                defaultValue = "fedavg",
                description = "algorithms whose round is timed (default ${DEFAULT-VALUE})")
        private List<String> algorithms;

        @Mixin private DataChoice dataChoice;

        @Override
        public Integer call() {
            DatasetSplits data = dataChoice.load();
            TrainingSettings defaults = TrainingSettings.defaults();
            TrainingSettings training =
                    new TrainingSettings(
                            defaults.optimizer(),
                            defaults.learningRate(),
                            defaults.momentum(),
                            batchSize,
                            1,
                            0f);
            if (samplesPerParticipant > 0) {
                data = trainingHead(data, participants, samplesPerParticipant);
            }
            new OverheadBenchmark(data, ModelSpec.parse(model), participants, training, algorithms)
                    .run(repeats, System.out);
            return 0;
        }
    }

    /**
     * The runtimes side by side: worker processes against the machine's limit, gRPC against in
     * process.
     */
    @Command(
            name = "runtimes",
            mixinStandardHelpOptions = true,
            description =
                    "Worker-process throughput against one 1-thread training process per core,"
                            + " and FedAvg / FD rounds over gRPC against in process.")
    static final class Runtimes implements Callable<Integer> {
        @Option(
                names = "--model",
                defaultValue = "lenet",
                description = "architecture (default ${DEFAULT-VALUE})")
        private String model;

        @Option(
                names = "--participants",
                defaultValue = "4",
                description = "participants (default ${DEFAULT-VALUE})")
        private int participants;

        @Option(
                names = "--samples",
                defaultValue = "6000",
                description = "training samples per participant (default ${DEFAULT-VALUE})")
        private int samples;

        @Option(
                names = "--batch-size",
                defaultValue = "32",
                description = "batch size (default ${DEFAULT-VALUE})")
        private int batchSize;

        @Option(
                names = "--repeats",
                defaultValue = "3",
                description = "repeats (default ${DEFAULT-VALUE})")
        private int repeats;

        @Option(names = "--data-dir", description = "directory holding Fashion-MNIST")
        private Path dataDir;

        @Override
        public Integer call() throws Exception {
            Path work = java.nio.file.Files.createTempDirectory("fedistill-bench-");
            new RuntimeBenchmark(
                            model,
                            participants,
                            samples,
                            batchSize,
                            dataDir,
                            Runtime.getRuntime().availableProcessors(),
                            work)
                    .run(repeats, System.out);
            return 0;
        }
    }

    /** One epoch of centralized training in this process: the limit's building block. */
    @Command(
            name = "train-alone",
            hidden = true,
            description = "Train one epoch alone; print samples/s.")
    static final class TrainAlone implements Callable<Integer> {
        @Option(names = "--model", required = true)
        private String model;

        @Option(names = "--samples", required = true)
        private int samples;

        @Option(names = "--offset", defaultValue = "0")
        private int offset;

        @Option(names = "--batch-size", defaultValue = "32")
        private int batchSize;

        @Option(names = "--data-dir")
        private Path dataDir;

        @Override
        public Integer call() {
            DatasetSplits data = FashionMnist.load(Optional.ofNullable(dataDir), true, true);
            ImageDataset train = data.train();
            TrainingSettings defaults = TrainingSettings.defaults();
            TrainingSettings training =
                    new TrainingSettings(defaults.optimizer(), 0.01f, 0.9f, batchSize, 1, 0f);
            int[] indices = java.util.stream.IntStream.range(offset, offset + samples).toArray();
            try (ModelSession session =
                    ModelSession.open(
                            ModelSpec.parse(model),
                            train.imageShape(),
                            train.numClasses(),
                            training,
                            Optional.empty(),
                            1)) {
                session.train(
                        train,
                        java.util.Arrays.copyOf(indices, Math.min(samples, 4 * batchSize)),
                        LocalObjective.crossEntropy(),
                        2);
                long start = System.nanoTime();
                session.train(train, indices, LocalObjective.crossEntropy(), 3);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(java.util.Locale.ROOT, "samples/s %.1f%n", samples / seconds);
            }
            return 0;
        }
    }

    /** Secure aggregation against plain aggregation. */
    @Command(
            name = "secagg",
            mixinStandardHelpOptions = true,
            description =
                    "Secure against plain aggregation at 10, 50 and 100 participants for FD-size"
                            + " and FedAvg-size payloads: coordinator and participant time, bytes.")
    static final class SecureAggregation implements Callable<Integer> {
        @Option(
                names = "--repeats",
                defaultValue = "3",
                description =
                        "measured rounds per cell, after a warm-up (default ${DEFAULT-VALUE})")
        private int repeats;

        @Override
        public Integer call() {
            new SecureAggregationBenchmark(repeats).run(System.out);
            return 0;
        }
    }

    /** FAug's conditional GAN judged by real images. */
    @Command(
            name = "gan",
            mixinStandardHelpOptions = true,
            description =
                    "FAug's conditional GAN trained on a few seeds of each label, judged by real"
                            + " images: how often a LeNet-5 trained on real images sees the label a"
                            + " sample was made for, and how well a LeNet-5 trained on generated"
                            + " samples alone scores on the test set, per auxiliary-classifier"
                            + " weight.")
    static final class Gan implements Callable<Integer> {
        @Option(
                names = "--seeds-per-label",
                defaultValue = "54",
                description = "seed images of each label (default ${DEFAULT-VALUE})")
        private int seedsPerLabel;

        @Option(
                names = "--steps",
                defaultValue = "" + ConditionalGan.DEFAULT_STEPS,
                description = "GAN training steps (default ${DEFAULT-VALUE})")
        private int steps;

        @Option(
                names = "--hidden-width",
                defaultValue = "" + ConditionalGan.DEFAULT_HIDDEN_WIDTH,
                description = "the GAN's first hidden width (default ${DEFAULT-VALUE})")
        private int hiddenWidth;

        @Option(
                names = "--classifier-weights",
                split = ",",
                defaultValue = "0,1",
                description =
                        "auxiliary-classifier weights compared, 0 a plain conditional GAN (default"
                                + " ${DEFAULT-VALUE})")
        private List<Float> classifierWeights;

        @Option(
                names = "--reference-images",
                defaultValue = "20000",
                description =
                        "real training images the reference LeNet-5 learns from; the seeds come"
                                + " after them (default ${DEFAULT-VALUE})")
        private int referenceImages;

        @Option(
                names = "--generated-per-label",
                defaultValue = "300",
                description = "samples generated of each label (default ${DEFAULT-VALUE})")
        private int generatedPerLabel;

        @Option(
                names = "--seed",
                defaultValue = "7",
                description = "seed of the GAN and the LeNet-5s (default ${DEFAULT-VALUE})")
        private long seed;

        @Mixin private DataChoice dataChoice;

        @Override
        public Integer call() {
            DatasetSplits data = dataChoice.load();
            new GanBenchmark(
                            data,
                            seedsPerLabel,
                            steps,
                            hiddenWidth,
                            classifierWeights,
                            referenceImages,
                            generatedPerLabel,
                            seed)
                    .run(System.out);
            return 0;
        }
    }

    /** Many participants on one coordinator over gRPC. */
    @Command(
            name = "fleet",
            mixinStandardHelpOptions = true,
            description =
                    "Round latency and coordinator throughput with many participants (agents in a"
                            + " few JVMs) for FD-size and FedAvg-size payloads.")
    static final class Fleet implements Callable<Integer> {
        @Option(
                names = "--participants",
                defaultValue = "100",
                description = "participants (default ${DEFAULT-VALUE})")
        private int participants;

        @Option(
                names = "--jvms",
                defaultValue = "4",
                description = "agent JVMs (default ${DEFAULT-VALUE})")
        private int jvms;

        @Option(
                names = "--rounds",
                defaultValue = "5",
                description = "measured rounds per payload (default ${DEFAULT-VALUE})")
        private int rounds;

        @Override
        public Integer call() throws Exception {
            new FleetBenchmark(
                            participants,
                            jvms,
                            java.nio.file.Files.createTempDirectory("fedistill-fleet-"))
                    .run(rounds, System.out);
            return 0;
        }
    }

    /** The participant side of the fleet benchmark. */
    @Command(name = "fleet-agents", hidden = true, description = "Host echo participants.")
    static final class FleetAgents implements Callable<Integer> {
        @Option(names = "--coordinator", required = true)
        private String coordinator;

        @Option(names = "--participants", required = true, split = ",")
        private java.util.List<String> participants;

        @Override
        public Integer call() throws Exception {
            FleetBenchmark.hostAgents(coordinator, participants);
            return 0;
        }
    }
}
