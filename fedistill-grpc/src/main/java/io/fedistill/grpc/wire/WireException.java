package io.fedistill.grpc.wire;

/** A message on the wire that breaks the protocol: its text names what is wrong, in one line. */
public final class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public WireException(String message) {
        super(message);
    }

    /** Creates the exception with its cause (kept out of anything sent to the peer). */
    public WireException(String message, Throwable cause) {
        super(message, cause);
    }
}
