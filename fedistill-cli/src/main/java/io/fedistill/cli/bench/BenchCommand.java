package io.fedistill.cli.bench;

import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.TrainingSettings;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedistill bench overhead}: the simulation-overhead benchmark of docs/BENCHMARKS.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run benchmarks.",
        subcommands = BenchCommand.Overhead.class)
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** FedAvg round vs centralized epoch. */
    @Command(
            name = "overhead",
            mixinStandardHelpOptions = true,
            description =
                    "FedAvg round (IID participants, 1 epoch) vs one centralized epoch on full Fashion-MNIST.")
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

        @Option(names = "--data-dir", description = "directory holding Fashion-MNIST")
        private Path dataDir;

        @Option(
                names = "--sample",
                description = "use the embedded sample instead of the full dataset")
        private boolean sample;

        @Override
        public Integer call() {
            DatasetSplits data =
                    sample
                            ? FashionMnist.sample()
                            : FashionMnist.load(Optional.ofNullable(dataDir), true, true);
            TrainingSettings defaults = TrainingSettings.defaults();
            TrainingSettings training =
                    new TrainingSettings(
                            defaults.optimizer(),
                            defaults.learningRate(),
                            defaults.momentum(),
                            batchSize,
                            1,
                            0f);
            new OverheadBenchmark(data, ModelSpec.parse(model), participants, training)
                    .run(repeats, System.out);
            return 0;
        }
    }
}
