package io.fedistill.core.codec;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;

/**
 * Turns a message into the bytes that cross the wire and back; its output length is the byte count
 * the run reports.
 *
 * <p>Every encoding starts with the codec's name and version; decoding refuses an unknown name or
 * version by name instead of misreading the payload.
 */
public interface Codec {

    /** Returns the lossless 32-bit float codec. */
    static Codec fp32() {
        return Fp32Codec.INSTANCE;
    }

    /**
     * Returns the codec with the given name.
     *
     * @throws IllegalArgumentException naming the unknown codec and the known ones
     */
    static Codec forName(String name) {
        if (Fp32Codec.NAME.equals(name)) {
            return fp32();
        }
        throw new IllegalArgumentException("unknown codec '" + name + "'; known: [fp32]");
    }

    /** Returns the codec's name as written in configs and on the wire. */
    String name();

    /** Returns the version of the wire format this codec writes. */
    int version();

    /** Encodes a message. */
    byte[] encode(Message message);

    /**
     * Encodes one tensor's values alone, as this codec writes them inside a message: what the
     * network runtime sends in chunks after a message's header.
     */
    byte[] encodeValues(Tensor tensor);

    /**
     * Decodes values {@link #encodeValues} wrote for a tensor of this shape.
     *
     * @throws CodecException when the bytes do not hold exactly that many values
     */
    default Tensor decodeValues(int[] shape, byte[] bytes) {
        return decodeValues(shape, bytes, 0, bytes.length);
    }

    /**
     * Decodes values {@link #encodeValues} wrote for a tensor of this shape from {@code length}
     * bytes of {@code bytes} starting at {@code offset} (a slice of a message's payload).
     *
     * @throws CodecException when the slice does not hold exactly that many values
     */
    Tensor decodeValues(int[] shape, byte[] bytes, int offset, int length);

    /**
     * Encodes a tensor record alone (state to store, a checkpoint), framed as a message so its
     * codec and version are checked when it is read back.
     */
    default byte[] encodeRecord(TensorRecord record) {
        return encode(Message.builder(0, STORED_RECORD, "-").optTensors(record).build());
    }

    /** Decodes a record {@link #encodeRecord} wrote. */
    default TensorRecord decodeRecord(byte[] bytes) {
        return decode(bytes).tensors();
    }

    /** The message type under which {@link #encodeRecord} frames a record. */
    MessageType STORED_RECORD = new MessageType("fedistill.record");

    /**
     * Decodes bytes written by this codec.
     *
     * @throws CodecException if the bytes are malformed or written by another codec or version
     */
    Message decode(byte[] bytes);
}
