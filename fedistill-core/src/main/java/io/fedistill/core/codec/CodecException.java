package io.fedistill.core.codec;

/** Thrown when bytes cannot be decoded into a message: wrong codec, version or a broken frame. */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming what is wrong. */
    public CodecException(String message) {
        super(message);
    }

    /** Creates the exception with a message and its cause. */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
