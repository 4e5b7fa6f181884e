package io.fedistill.cli;

import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedistill quickstart}: participants with different architectures learning from each other
 * through DS-FL and FedDF, against local-only and FedAvg, on the embedded Fashion-MNIST sample.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description =
                "Mixed architectures learning from each other (DS-FL, FedDF) against local-only and FedAvg, on the embedded Fashion-MNIST sample (about 70 s on 2 cores).")
final class QuickstartCommand implements Callable<Integer> {
    static final String RESOURCE = "/io/fedistill/cli/quickstart.yaml";

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "override a field of the quickstart experiment")
    private List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config;
        try (InputStream in = QuickstartCommand.class.getResourceAsStream(RESOURCE)) {
            config = ExperimentLoader.load("quickstart.yaml", in, overrides);
        }
        StringBuilder command = new StringBuilder("fedistill quickstart");
        overrides.forEach(o -> command.append(" --set ").append(o));
        new ExperimentRunner(config, command.toString(), System.out, System.console() != null)
                .run();
        return 0;
    }
}
