package io.fedistill.core.learner;

import io.fedistill.core.message.Message;

/**
 * The participant half of an algorithm: answers one coordinator message using the participant's
 * private data, model and stored state.
 *
 * <p>Learners are stateless between calls; what must persist goes to {@link
 * ParticipantContext#state()}. An exception becomes a recorded failure of this participant, not of
 * the run.
 */
public interface Learner {

    /**
     * Handles one request and returns the reply.
     *
     * @param request the coordinator's message
     * @param context the participant's identity and state
     * @return the reply (same round, kind and participant)
     */
    Message handle(Message request, ParticipantContext context);
}
