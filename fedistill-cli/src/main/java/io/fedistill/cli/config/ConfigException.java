package io.fedistill.cli.config;

/**
 * Thrown when an experiment file is malformed or a value is not allowed; the message names the
 * field.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the field and the problem. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates the exception with a message and its cause. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
