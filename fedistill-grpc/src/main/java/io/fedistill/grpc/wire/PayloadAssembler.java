package io.fedistill.grpc.wire;

import io.fedistill.grpc.proto.Chunk;
import io.fedistill.grpc.proto.MessageHeader;
import java.util.Arrays;

/**
 * Collects one incoming message: its header, then its chunks in order until the last. Refuses a
 * chunk of another message, a payload longer than its header declares, or a header declaring more
 * than the limit, each with a {@link WireException}.
 */
public final class PayloadAssembler {
    private final MessageHeader header;
    private final long declared;
    private byte[] payload;
    private int size;
    private boolean complete;

    /** Starts collecting the message {@code header} announces. */
    public PayloadAssembler(MessageHeader header, long maxPayloadBytes) {
        this.header = header;
        this.declared = WireMessages.declaredPayload(header, maxPayloadBytes);
        this.payload = new byte[(int) Math.min(declared, 64 << 20)];
    }

    /**
     * Adds a chunk.
     *
     * @return whether the message is complete
     */
    public boolean add(Chunk chunk) {
        if (complete) {
            throw new WireException("chunk after the last chunk of message " + header.getId());
        }
        if (!chunk.getMessageId().equals(header.getId())) {
            throw new WireException(
                    "chunk of message '"
                            + abbreviate(chunk.getMessageId())
                            + "' while message "
                            + header.getId()
                            + " is incomplete");
        }
        if (size + (long) chunk.getData().size() > declared) {
            throw new WireException(
                    "message "
                            + header.getId()
                            + " sends more than the "
                            + declared
                            + " payload bytes its header declares");
        }
        int length = chunk.getData().size();
        if (size + length > payload.length) {
            // the header's declared size is only trusted up to 64 MiB before bytes arrive
            long grown = Math.min(declared, 2L * (size + length));
            payload = Arrays.copyOf(payload, (int) Math.min(grown, Integer.MAX_VALUE - 8));
        }
        chunk.getData().copyTo(payload, size);
        size += length;
        complete = chunk.getLast();
        if (complete && size != declared) {
            throw new WireException(
                    "message "
                            + header.getId()
                            + " ended after "
                            + size
                            + " of "
                            + declared
                            + " declared payload bytes");
        }
        return complete;
    }

    /** Returns the header. */
    public MessageHeader header() {
        return header;
    }

    /** Returns the complete payload (the assembler's own array when it is exactly full). */
    public byte[] payload() {
        if (!complete) {
            throw new IllegalStateException("message " + header.getId() + " is incomplete");
        }
        return size == payload.length ? payload : Arrays.copyOf(payload, size);
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
