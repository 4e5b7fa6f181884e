package io.fedistill.core.store;

/** The run store cannot be opened, read or written; the text names the store and the step. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
