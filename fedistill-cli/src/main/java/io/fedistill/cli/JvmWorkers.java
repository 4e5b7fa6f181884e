package io.fedistill.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.fedistill.simulation.WorkerPool;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The worker JVMs of one experiment run ({@code fedistill worker}, started as {@link
 * FedistillJvm}s), kept from one algorithm to the next so that each starts, loads the engine and
 * reads the data once. An algorithm hands every worker a {@link WorkerAssignment} as one line on
 * its standard input; a worker that exited is started again for the next one. Closing the pool ends
 * their input, and they exit. Output goes to {@code workers/worker-<n>.log} in the run directory.
 */
final class JvmWorkers implements AutoCloseable {
    private final Path experiment;
    private final Path logDirectory;
    private final Map<Integer, Worker> workers = new HashMap<>();

    private record Worker(Process process, Writer input) {}

    /**
     * Creates the pool; it starts no process before the first assignment.
     *
     * @param experiment the run's experiment file, which every worker loads
     * @param logDirectory where worker logs go
     */
    JvmWorkers(Path experiment, Path logDirectory) {
        this.experiment = experiment;
        this.logDirectory = logDirectory;
    }

    /** Returns the pool as one algorithm's simulation sees it. */
    WorkerPool forAlgorithm(String label) {
        return (index, coordinator, participantIds, signingAuthority) ->
                assign(
                        index,
                        new WorkerAssignment(
                                label,
                                coordinator,
                                participantIds,
                                signingAuthority.map(Path::toString).orElse(null)));
    }

    private synchronized Process assign(int index, WorkerAssignment assignment) throws IOException {
        Worker worker = workers.get(index);
        if (worker == null || !worker.process().isAlive()) {
            if (worker != null) {
                closeQuietly(worker);
            }
            worker = start(index);
            workers.put(index, worker);
        }
        worker.input().write(assignment.toJson() + "\n");
        worker.input().flush();
        return worker.process();
    }

    private Worker start(int index) throws IOException {
        Files.createDirectories(logDirectory);
        Process process =
                FedistillJvm.command(List.of("worker", "--experiment", experiment.toString()))
                        .redirectOutput(
                                Redirect.appendTo(
                                        logDirectory.resolve("worker-" + index + ".log").toFile()))
                        .start();
        return new Worker(process, new OutputStreamWriter(process.getOutputStream(), UTF_8));
    }

    /** Ends a worker's input: it exits once it has left its run. */
    private static void closeQuietly(Worker worker) {
        try {
            worker.input().close();
        } catch (IOException exited) {
            // the worker is gone already: there is nothing left to tell it
        }
    }

    /**
     * Ends the workers' input and waits for them; one still running ten seconds later is killed.
     */
    @Override
    public synchronized void close() {
        List<Process> processes = new ArrayList<>();
        for (Worker worker : workers.values()) {
            closeQuietly(worker);
            processes.add(worker.process());
        }
        workers.clear();
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
