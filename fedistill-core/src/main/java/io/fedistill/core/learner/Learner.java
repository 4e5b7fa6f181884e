package io.fedistill.core.learner;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import java.util.HashSet;
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
    private final Set<MessageType> dataFree;

    private Learner(Map<MessageType, MessageHandler> routes, Set<MessageType> dataFree) {
        this.routes = Map.copyOf(routes);
        this.dataFree = Set.copyOf(dataFree);
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
     * Returns whether this learner's replies to {@code type} may hold what the participant learned
     * from its data: every type but those registered with {@link Builder#onDataFree}.
     */
    public boolean answersFromData(MessageType type) {
        return !dataFree.contains(type);
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
        private final Set<MessageType> dataFree = new HashSet<>();

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

        /**
         * Answers requests of {@code type} with {@code handler}, whose replies hold nothing learned
         * from the participant's data (FedAvg's seeded initial weights): a participant that shares
         * what it learned only through secure aggregation still sends them.
         *
         * @throws IllegalArgumentException when the type already has a handler
         */
        public Builder onDataFree(MessageType type, MessageHandler handler) {
            on(type, handler);
            dataFree.add(type);
            return this;
        }

        /** Builds the learner. */
        public Learner build() {
            return new Learner(routes, dataFree);
        }
    }
}
