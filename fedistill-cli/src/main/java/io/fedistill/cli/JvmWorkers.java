package io.fedistill.cli;

import io.fedistill.simulation.WorkerLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts worker processes as {@link FedistillJvm}s running {@code fedistill worker}, writing its
 * output to {@code workers/<label>-<n>.log} in the run directory.
 */
final class JvmWorkers implements WorkerLauncher {
    private final Path experiment;
    private final String algorithmLabel;
    private final Path logDirectory;

    /**
     * Creates the launcher.
     *
     * @param experiment the run's experiment file, which every worker loads
     * @param algorithmLabel the algorithm whose participants the workers host
     * @param logDirectory where worker logs go
     */
    JvmWorkers(Path experiment, String algorithmLabel, Path logDirectory) {
        this.experiment = experiment;
        this.algorithmLabel = algorithmLabel;
        this.logDirectory = logDirectory;
    }

    @Override
    public Process launch(int index, String coordinator, List<String> participantIds)
            throws IOException {
        Files.createDirectories(logDirectory);
        List<String> args =
                List.of(
                        "worker",
                        "--experiment",
                        experiment.toString(),
                        "--algorithm",
                        algorithmLabel,
                        "--coordinator",
                        coordinator,
                        "--participants",
                        String.join(",", participantIds));
        String file = algorithmLabel.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + index + ".log";
        return FedistillJvm.command(args)
                .redirectOutput(logDirectory.resolve(file).toFile())
                .start();
    }
}
