package io.fedistill.simulation;

import io.fedistill.grpc.coordinator.GrpcFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker processes of one parallel simulation: started together, watched while they connect,
 * and stopped at the end (they leave on their own once the coordinator ends the run; a worker still
 * running ten seconds later is killed).
 */
final class WorkerProcesses implements AutoCloseable {
    private final List<Process> processes;

    private WorkerProcesses(List<Process> processes) {
        this.processes = processes;
    }

    static WorkerProcesses start(
            WorkerLauncher launcher, String coordinator, List<List<String>> slices) {
        List<Process> started = new ArrayList<>();
        try {
            for (int i = 0; i < slices.size(); i++) {
                started.add(launcher.launch(i, coordinator, slices.get(i)));
            }
        } catch (IOException e) {
            started.forEach(Process::destroyForcibly);
            throw new UncheckedIOException("cannot start a worker process: " + e.getMessage(), e);
        }
        return new WorkerProcesses(started);
    }

    /**
     * Waits until every participant is connected.
     *
     * @throws IllegalStateException naming the worker that exited first, or the timeout
     */
    void awaitConnected(GrpcFleet fleet, int participants, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (!fleet.awaitOnline(participants, Duration.ofMillis(200))) {
                for (int i = 0; i < processes.size(); i++) {
                    if (!processes.get(i).isAlive()) {
                        throw new ParticipantsMissingException(
                                "worker "
                                        + i
                                        + " exited with status "
                                        + processes.get(i).exitValue()
                                        + " before its participants connected; see its log");
                    }
                }
                if (System.nanoTime() > end) {
                    throw new ParticipantsMissingException(
                            fleet.online().size()
                                    + " of "
                                    + participants
                                    + " participants connected within "
                                    + timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while workers were starting", e);
        }
    }

    @Override
    public void close() {
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
