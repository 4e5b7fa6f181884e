package io.fedistill.core.learner;

import io.fedistill.core.message.Message;

/** Answers requests of one message type on a participant. */
@FunctionalInterface
public interface MessageHandler {

    /**
     * Handles one request and returns the reply.
     *
     * @param request the coordinator's message
     * @param context the participant's identity and state
     * @return the reply (built with {@link Message#reply()})
     */
    Message handle(Message request, ParticipantContext context);
}
