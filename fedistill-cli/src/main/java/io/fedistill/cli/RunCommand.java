package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fedistill run <experiment.yaml> [--set key=value ...]} or {@code run --resume DIR}. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run an experiment file; writes runs/<name>-<timestamp>/. With --resume, continue"
                        + " a run directory whose process was stopped or killed.")
final class RunCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "EXPERIMENT",
            description = "the experiment YAML file")
    private Path experiment;

    @Option(
            names = "--resume",
            paramLabel = "RUN_DIR",
            description =
                    "continue this run directory from its last recorded round (its config.yaml and"
                            + " run.db); finished algorithms are not run again")
    private Path resume;

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
        if (resume != null) {
            if (experiment != null || !overrides.isEmpty() || dataDir != null) {
                throw new ConfigException(
                        "--resume continues a run as it was recorded; give the run directory alone,"
                                + " without an experiment, --set or --data-dir");
            }
            ExperimentConfig config = ExperimentLoader.loadRunRecord(resume);
            new ExperimentRunner(
                            config,
                            "fedistill run --resume " + resume,
                            System.out,
                            System.console() != null)
                    .resume(resume);
            return 0;
        }
        if (experiment == null) {
            throw new ConfigException("name an experiment file, or --resume RUN_DIR");
        }
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
