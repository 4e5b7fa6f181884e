package io.fedistill.ml.data;

/**
 * Thrown when a dataset is missing, corrupt or cannot be fetched; the message says which file and
 * why.
 */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming what is wrong. */
    public DatasetException(String message) {
        super(message);
    }

    /** Creates the exception with a message and its cause. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
