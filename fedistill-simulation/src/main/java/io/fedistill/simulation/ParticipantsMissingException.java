package io.fedistill.simulation;

/**
 * Too few participants were there to run: worker processes that did not connect, or a served
 * federation whose participants did not join in time. An expected condition of a run, reported in
 * one line, not a defect.
 */
public final class ParticipantsMissingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ParticipantsMissingException(String message) {
        super(message);
    }
}
