package io.fedistill.core.learner;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The participant half of an algorithm: one handler per message type it answers, using the
 * participant's private data, model and stored state. A request is routed by its type alone; a type
 * the learner does not know is refused by name.
 *
 * <p>Handlers are stateless between calls; what must persist goes to {@link
 * ParticipantContext#state()}. An exception becomes a recorded failure of this participant, not of
 * the run.
 */
public final class Learner {
    private final Map<MessageType, MessageHandler> routes;

    private Learner(Map<MessageType, MessageHandler> routes) {
        this.routes = Map.copyOf(routes);
    }

    /** Starts a learner. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the message types this learner answers. */
    public Set<MessageType> types() {
        return routes.keySet();
    }

    /**
     * Routes one request to the handler of its type.
     *
     * @throws UnknownMessageTypeException when no handler answers the request's type
     */
    public Message handle(Message request, ParticipantContext context) {
        MessageHandler handler = routes.get(request.type());
        if (handler == null) {
            throw new UnknownMessageTypeException(request.type(), routes.keySet());
        }
        return handler.handle(request, context);
    }

    /** Collects a learner's handlers. */
    public static final class Builder {
        private final Map<MessageType, MessageHandler> routes = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Answers requests of {@code type} with {@code handler}.
         *
         * @throws IllegalArgumentException when the type already has a handler
         */
        public Builder on(MessageType type, MessageHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (routes.putIfAbsent(Objects.requireNonNull(type, "type"), handler) != null) {
                throw new IllegalArgumentException("message type " + type + " has two handlers");
            }
            return this;
        }

        /** Builds the learner. */
        public Learner build() {
            return new Learner(routes);
        }
    }
}
