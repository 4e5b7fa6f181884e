package io.fedistill.cli.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Thrown when an experiment file is malformed or a value is not allowed; the message names the
 * field.
 *
 * <p>A message quotes the bad value, and a value can be megabytes long: any run of more than
 * {@value #LONGEST_QUOTED} characters without a space or punctuation is shortened to its start and
 * its length, so an error stays one readable line.
 */
public class ConfigException extends RuntimeException {
    /** The longest unbroken run of characters a message quotes in full. */
    static final int LONGEST_QUOTED = 300;

    private static final long serialVersionUID = 1L;
    private static final Pattern LONG_RUN =
            Pattern.compile("[^\\s'\".,:;\\[\\]{}()]{" + (LONGEST_QUOTED + 1) + ",}");

    /** Creates the exception with a message naming the field and the problem. */
    public ConfigException(String message) {
        super(bounded(message));
    }

    /** Creates the exception with a message and its cause. */
    public ConfigException(String message, Throwable cause) {
        super(bounded(message), cause);
    }

    private static String bounded(String message) {
        if (message == null || message.length() <= LONGEST_QUOTED) {
            return message;
        }
        Matcher run = LONG_RUN.matcher(message);
        StringBuilder out = new StringBuilder();
        while (run.find()) {
            String text = run.group();
            run.appendReplacement(
                    out,
                    Matcher.quoteReplacement(
                            text.substring(0, 60) + "... (" + text.length() + " characters)"));
        }
        run.appendTail(out);
        return out.toString();
    }
}
