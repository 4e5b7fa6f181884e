package io.fedistill.cli;

import io.fedistill.cli.bench.BenchCommand;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.ml.data.DatasetException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fedistill} command line: run experiments, the quickstart, listings and benchmarks. */
@Command(
        name = "fedistill",
        mixinStandardHelpOptions = true,
        versionProvider = FedistillCommand.Version.class,
        description =
                "Federated learning across heterogeneous models through knowledge distillation.",
        subcommands = {
            RunCommand.class,
            ReportCommand.class,
            ServeCommand.class,
            JoinCommand.class,
            PartitionCommand.class,
            CertsCommand.class,
            QuickstartCommand.class,
            ListCommand.class,
            BenchCommand.class,
            WorkerCommand.class,
            DpCommand.class
        })
public final class FedistillCommand implements Runnable {

    @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns its exit status: 0 success, 1 failure (including a run in
     * which an algorithm learned nothing), 2 bad input.
     */
    public static int execute(String... args) {
        CommandLine line = new CommandLine(new FedistillCommand());
        // a bad flag or value is one line that names it, not the whole usage
        line.setParameterExceptionHandler(
                (e, given) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr()
                            .println(
                                    "error: "
                                            + e.getMessage()
                                            + " (see "
                                            + cmd.getCommandSpec().qualifiedName()
                                            + " --help)");
                    CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
                    return 2;
                });
        line.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (e instanceof ConfigException || e instanceof DatasetException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return 2;
                    }
                    if (e instanceof RunFailedException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return 1;
                    }
                    cmd.getErr().println("error: " + e);
                    e.printStackTrace(cmd.getErr());
                    return 1;
                });
        return line.execute(args);
    }

    /** Reports fedistill's version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = FedistillCommand.class.getPackage().getImplementationVersion();
            return new String[] {"fedistill " + (version == null ? "development build" : version)};
        }
    }
}
