package io.fedistill.simulation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
     * @param signingAuthority the directory of the run's {@code ca.pem} and its participants'
     *     certificates and keys, when their secure sums are signed
     * @return the worker's process, watched while its participants connect
     * @throws IOException if the worker cannot be started or reached
     */
    Process assign(
            int index,
            String coordinator,
            List<String> participantIds,
            Optional<Path> signingAuthority)
            throws IOException;
}
