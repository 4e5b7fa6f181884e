package io.fedistill.core.learner;

/**
 * What a runtime gives a learner with each message: who it is, the run seed and its state.
 *
 * @param participantId the participant's id
 * @param runSeed the run's seed, from which the learner derives its random streams
 * @param state the participant's persistent state
 */
public record ParticipantContext(String participantId, long runSeed, ParticipantState state) {}
