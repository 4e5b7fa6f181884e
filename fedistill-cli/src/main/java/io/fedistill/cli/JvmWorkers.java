package io.fedistill.cli;

import io.fedistill.simulation.WorkerLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts worker processes as JVMs running {@code fedistill worker} on this installation's class
 * path, each with one intra-op thread (the engine's fastest setting for small models, and the one
 * at which results are bit-exact), writing its output to {@code workers/<label>-<n>.log} in the run
 * directory.
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
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dai.djl.offline=true");
        command.add("-Dai.djl.pytorch.num_threads=1");
        command.add("-Dai.djl.pytorch.num_interop_threads=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FedistillCommand.class.getName());
        command.add("worker");
        command.add("--experiment");
        command.add(experiment.toString());
        command.add("--algorithm");
        command.add(algorithmLabel);
        command.add("--coordinator");
        command.add(coordinator);
        command.add("--participants");
        command.add(String.join(",", participantIds));
        String file = algorithmLabel.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + index + ".log";
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(logDirectory.resolve(file).toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder.start();
    }
}
