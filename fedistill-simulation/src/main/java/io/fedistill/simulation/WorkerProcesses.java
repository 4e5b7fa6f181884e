package io.fedistill.simulation;

import io.fedistill.grpc.coordinator.GrpcFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The worker processes taking part in one run of a parallel simulation, watched while their
 * participants connect. They leave the run on their own once the coordinator ends it; the pool that
 * handed them the run decides whether they then stop or wait for the next.
 */
final class WorkerProcesses {
    private final List<Process> processes;

    private WorkerProcesses(List<Process> processes) {
        this.processes = processes;
    }

    static WorkerProcesses assign(
            WorkerPool pool,
            String coordinator,
            List<List<String>> slices,
            Optional<Path> signingAuthority) {
        List<Process> assigned = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
            try {
                assigned.add(pool.assign(i, coordinator, slices.get(i), signingAuthority));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot hand worker " + i + " its participants: " + e.getMessage(), e);
            }
        }
        return new WorkerProcesses(assigned);
    }

    /**
     * Waits until every participant is connected.
     *
     * @throws IllegalStateException naming the worker that exited first, or the timeout
     */
    void awaitConnected(GrpcFleet fleet, int participants, Duration timeout) {
        try {
            waitForConnections(fleet, participants, timeout);
        } catch (RuntimeException e) {
            // a worker that is alive but never connected would take the next run down too: the
            // pool starts a fresh one in its place
            processes.forEach(Process::destroyForcibly);
            throw e;
        }
    }

    private void waitForConnections(GrpcFleet fleet, int participants, Duration timeout) {
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
}
