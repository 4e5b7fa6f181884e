package io.fedistill.simulation;

import java.io.IOException;
import java.util.List;

/**
 * The worker processes of a parallel simulation: JVMs that build the same federation from the same
 * experiment and each host a slice of its participants. A pool may keep its workers from one run to
 * the next (an experiment's algorithms one after another), so a run only hands each worker its
 * slice and the coordinator's address; a worker leaves the run when the coordinator ends it.
 */
@FunctionalInterface
public interface WorkerPool {

    /**
     * Hands one worker its slice of a run, starting the worker first if it is not running.
     *
     * @param index the worker's number, from 0
     * @param coordinator the coordinator's address, {@code host:port}
     * @param participantIds the participants it hosts in this run
     * @return the worker's process, watched while its participants connect
     * @throws IOException if the worker cannot be started or reached
     */
    Process assign(int index, String coordinator, List<String> participantIds) throws IOException;
}
