package io.fedistill.cli;

import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code fedistill report RUN_DIR}: writes a run's summary and plots again from its store. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Write summary.md and the plots of a run directory again from the rounds in its"
                        + " run store, running nothing (run --resume finishes an unfinished run).")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "the run directory")
    private Path runDirectory;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = ExperimentLoader.loadRunRecord(runDirectory);
        new ExperimentRunner(
                        config,
                        "fedistill report " + runDirectory,
                        System.out,
                        System.console() != null)
                .report(runDirectory);
        return 0;
    }
}
