package io.fedistill.core.message;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a message asks or answers, as an open, namespaced name such as {@code dsfl.predict} or
 * {@code fedistill.evaluate}: the algorithm (or protocol) that owns it, a dot, and the step.
 *
 * <p>Types are open so that a new protocol (a secure-aggregation stage, a new algorithm) adds its
 * own without touching core; a participant routes a request to its handler by type alone.
 *
 * @param name the namespaced name: lower-case segments of letters, digits and hyphens joined by
 *     dots, at least two segments, at most 100 characters
 */
public record MessageType(String name) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+");
    private static final int MAX_LENGTH = 100;

    /** The runtime's own evaluation request, answered by every learner. */
    public static final MessageType EVALUATE = new MessageType("fedistill.evaluate");

    /**
     * The runtime's request for the state a participant committed since the last such request,
     * answered by its host (not its learner): what a coordinator checkpoints when participants live
     * in worker processes.
     */
    public static final MessageType STATE = new MessageType("fedistill.state");

    /**
     * The runtime's request to put a participant's state back as a checkpoint holds it, answered by
     * its host: what a resumed coordinator sends to fresh worker processes.
     */
    public static final MessageType RESTORE = new MessageType("fedistill.restore");

    /** Validates the name. */
    public MessageType {
        Objects.requireNonNull(name, "name");
        if (name.length() > MAX_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "message type '"
                            + (name.length() > MAX_LENGTH
                                    ? name.substring(0, MAX_LENGTH) + "..."
                                    : name)
                            + "' is not a namespaced name such as 'dsfl.predict' (lower-case"
                            + " letters, digits and hyphens, dot-separated, at most "
                            + MAX_LENGTH
                            + " characters)");
        }
    }

    /** Returns the type {@code namespace.step}. */
    public static MessageType of(String namespace, String step) {
        return new MessageType(namespace + "." + step);
    }

    @Override
    public String toString() {
        return name;
    }
}
