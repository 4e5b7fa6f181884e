package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fedistill serve <experiment.yaml>}: a coordinator that participants on other processes or
 * hosts join with {@code fedistill join}, each with its own data.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve one algorithm of an experiment as a coordinator that participants join over"
                        + " gRPC (fedistill join); writes the run directory as run does.")
final class ServeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "the experiment YAML file")
    private Path experiment;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "where to listen (default ${DEFAULT-VALUE}; port 0 picks a free one)")
    private String listen = "127.0.0.1:7410";

    @Option(
            names = "--algorithm",
            paramLabel = "LABEL",
            description = "the algorithm to serve (required when the experiment lists several)")
    private String algorithm;

    @Option(
            names = "--join-timeout",
            paramLabel = "SECONDS",
            description = "how long to wait for every participant (default ${DEFAULT-VALUE})")
    private int joinTimeoutSeconds = 600;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a field")
    private List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = ExperimentLoader.load(experiment, overrides);
        String label = algorithm;
        if (label == null) {
            if (config.algorithms().size() != 1) {
                throw new ConfigException(
                        "the experiment lists "
                                + config.algorithms().size()
                                + " algorithms; name the one to serve with --algorithm");
            }
            label = config.algorithms().get(0).label();
        }
        Address address = Address.parse("--listen", listen);
        if (joinTimeoutSeconds < 1) {
            throw new ConfigException("--join-timeout must be > 0, got " + joinTimeoutSeconds);
        }
        new ExperimentRunner(config, commandLine(), System.out, System.console() != null)
                .serve(
                        new ExperimentRunner.Serving(
                                address.host(),
                                address.port(),
                                Duration.ofSeconds(joinTimeoutSeconds),
                                label));
        return 0;
    }

    private String commandLine() {
        StringBuilder line =
                new StringBuilder("fedistill serve ").append(experiment).append(" --listen ");
        line.append(listen);
        if (algorithm != null) {
            line.append(" --algorithm ").append(algorithm);
        }
        overrides.forEach(o -> line.append(" --set ").append(o));
        return line.toString();
    }
}
