package io.fedistill.core.fleet;

/**
 * A participant that did not give a usable reply: it failed, was late, or its reply was rejected at
 * the boundary.
 *
 * @param participantId the participant
 * @param round the round
 * @param reason what went wrong, in words
 */
public record ParticipantFailure(String participantId, int round, String reason) {}
