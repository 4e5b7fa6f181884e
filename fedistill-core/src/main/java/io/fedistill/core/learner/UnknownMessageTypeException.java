package io.fedistill.core.learner;

import io.fedistill.core.message.MessageType;
import java.util.Collection;
import java.util.TreeSet;

/** A request of a type the participant's learner has no handler for. */
public final class UnknownMessageTypeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownMessageTypeException(MessageType type, Collection<MessageType> known) {
        super(
                "unknown message type '"
                        + type
                        + "'; this participant answers "
                        + new TreeSet<>(known.stream().map(MessageType::name).toList()));
    }
}
