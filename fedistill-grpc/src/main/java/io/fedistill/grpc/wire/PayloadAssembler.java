package io.fedistill.grpc.wire;

import io.fedistill.grpc.proto.Chunk;
import io.fedistill.grpc.proto.MessageHeader;
import java.io.ByteArrayOutputStream;

/**
 * Collects one incoming message: its header, then its chunks in order until the last. Refuses a
 * chunk of another message, a payload longer than its header declares, or a header declaring more
 * than the limit, each with a {@link WireException}.
 */
public final class PayloadAssembler {
    private final MessageHeader header;
    private final long declared;
    private final ByteArrayOutputStream payload;
    private boolean complete;

    /** Starts collecting the message {@code header} announces. */
    public PayloadAssembler(MessageHeader header, long maxPayloadBytes) {
        this.header = header;
        this.declared = WireMessages.declaredPayload(header, maxPayloadBytes);
        this.payload = new ByteArrayOutputStream((int) Math.min(declared, 64 << 20));
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
        if (payload.size() + (long) chunk.getData().size() > declared) {
            throw new WireException(
                    "message "
                            + header.getId()
                            + " sends more than the "
                            + declared
                            + " payload bytes its header declares");
        }
        payload.writeBytes(chunk.getData().toByteArray());
        complete = chunk.getLast();
        if (complete && payload.size() != declared) {
            throw new WireException(
                    "message "
                            + header.getId()
                            + " ended after "
                            + payload.size()
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

    /** Returns the complete payload. */
    public byte[] payload() {
        if (!complete) {
            throw new IllegalStateException("message " + header.getId() + " is incomplete");
        }
        return payload.toByteArray();
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
