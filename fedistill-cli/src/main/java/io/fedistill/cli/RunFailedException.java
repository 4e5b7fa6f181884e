package io.fedistill.cli;

/**
 * Thrown when a run finished without a usable result for some algorithm: it stopped early, or every
 * participant failed in every round. The message says which and where the recorded outputs are; the
 * command exits with status 1 and no stack trace.
 */
public class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the algorithms and the run directory. */
    public RunFailedException(String message) {
        super(message);
    }
}
