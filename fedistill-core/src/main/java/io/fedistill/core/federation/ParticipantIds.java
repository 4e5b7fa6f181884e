package io.fedistill.core.federation;

/**
 * The rule every participant id follows, in configs, certificates, tokens and on the wire: 1-64
 * letters, digits, '.', '_' or '-', so that an id can name files (with a suffix or extension) and
 * be a certificate's common name.
 */
public final class ParticipantIds {
    /** The rule in words, for messages. */
    private static final String RULE = "1-64 letters, digits, '.', '_' or '-'";

    private ParticipantIds() {}

    /**
     * Returns {@code id} when it follows the rule.
     *
     * @param what how the message names the id, e.g. {@code "--participant-id"}
     * @throws IllegalArgumentException naming {@code what}, the rule and the id otherwise
     */
    public static String require(String id, String what) {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(what + " must be " + RULE + ", got '" + id + "'");
        }
        return id;
    }
}
