package io.fedistill.core.fleet;

/**
 * The encoded size of one message that crossed between the coordinator and a participant.
 *
 * @param participantId the participant at the other end
 * @param direction which way it went
 * @param bytes its exact encoded size
 */
public record Transfer(String participantId, Direction direction, long bytes) {
    /** Validates the fields. */
    public Transfer {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
    }
}
