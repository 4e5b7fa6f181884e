package io.fedistill.cli;

import io.fedistill.algorithms.AlgorithmRegistry;
import io.fedistill.cli.config.DatasetConfig;
import io.fedistill.cli.config.PartitionConfig;
import io.fedistill.ml.model.Architecture;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code fedistill list}: algorithms, models, datasets and partitioners, one line each. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List algorithms, models, datasets and partitioners.")
final class ListCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("algorithms:");
        AlgorithmRegistry.entries().forEach(e -> line(e.name(), e.description()));
        System.out.println("models:");
        for (Architecture a : Architecture.values()) {
            line(a.configName(), a.description());
        }
        line(
                "<model>@<width>",
                "any model with its features projected to <width> (e.g. lenet@64), for feature distillation");
        System.out.println("datasets:");
        line(
                DatasetConfig.NAMES.get(0),
                "Fashion-MNIST, 60k/10k 28x28 grey images, 10 classes (found locally or downloaded)");
        line(
                DatasetConfig.NAMES.get(1),
                "the first 4,000 training and 1,000 test images, embedded in fedistill");
        System.out.println("partitioners:");
        PartitionConfig.DESCRIPTIONS.forEach(ListCommand::line);
        return 0;
    }

    private static void line(String name, String description) {
        System.out.printf("  %-22s %s%n", name, description);
    }
}
