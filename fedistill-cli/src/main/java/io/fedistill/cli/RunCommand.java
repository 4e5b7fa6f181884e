package io.fedistill.cli;

import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fedistill run <experiment.yaml> [--set key=value ...]}. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run an experiment file; writes runs/<name>-<timestamp>/.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "the experiment YAML file")
    private Path experiment;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "override a field, e.g. --set rounds=5 --set algorithms.0.options.mu=0.1")
    private List<String> overrides = new ArrayList<>();

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "the directory holding the full Fashion-MNIST (sets dataset.dataDir; it must"
                            + " exist)")
    private Path dataDir;

    @Override
    public Integer call() throws Exception {
        List<String> settings = new ArrayList<>(overrides);
        if (dataDir != null) {
            settings.add("dataset.dataDir=" + ExperimentLoader.quoted(dataDir.toString()));
        }
        ExperimentConfig config = ExperimentLoader.load(experiment, settings);
        new ExperimentRunner(config, commandLine(), System.out, System.console() != null).run();
        return 0;
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("fedistill run ").append(experiment);
        if (dataDir != null) {
            line.append(" --data-dir ").append(dataDir);
        }
        overrides.forEach(o -> line.append(" --set ").append(o));
        return line.toString();
    }
}
