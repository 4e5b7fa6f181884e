package io.fedistill.simulation;

import java.io.IOException;
import java.util.List;

/**
 * Starts a worker process of a parallel simulation: a JVM that builds the same federation from the
 * same experiment and hosts a slice of its participants, connecting to the coordinator's address.
 */
@FunctionalInterface
public interface WorkerLauncher {

    /**
     * Starts one worker.
     *
     * @param index the worker's number, from 0
     * @param coordinator the coordinator's address, {@code host:port}
     * @param participantIds the participants it hosts
     * @return the started process; the launcher decides where its output goes
     */
    Process launch(int index, String coordinator, List<String> participantIds) throws IOException;
}
