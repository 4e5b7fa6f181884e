package io.fedistill.core.codec;

import io.fedistill.core.fleet.Direction;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;

/**
 * Decides how tensors cross the wire and counts what they cost: for each direction and each {@link
 * TensorRole} an encoding (fp32, fp16, bf16, int8 with per-row scales, or top-k sparsification with
 * error feedback), optionally followed by DEFLATE. Counts and exact values always travel as fp32.
 * The encoded length is the byte count the run reports.
 *
 * <p>A codec is named by its canonical spec ({@link #name()}), which is what configs, the
 * federation spec and the gRPC Welcome carry: {@code fp32} (everything lossless), or items such as
 * {@code up.probabilities=fp16}, {@code down.weights=int8}, {@code up.logits=topk:0.1}, {@code
 * up=bf16} (every approximable role going up), {@code compression=deflate}, joined by commas.
 *
 * <p>A codec also frames tensor records for storage (participant state, checkpoints), always
 * losslessly and starting with its name and version, so reading refuses an unknown one by name.
 */
public interface Codec {

    /** Returns the lossless codec: every value as a 32-bit float, no compression. */
    static Codec fp32() {
        return PolicyCodec.FP32;
    }

    /**
     * Returns the codec a spec describes (see the type's documentation). Codecs that sparsify keep
     * error feedback, so each call returns a new one.
     *
     * @throws IllegalArgumentException naming what in the spec is unknown or not allowed
     */
    static Codec forName(String spec) {
        return PolicyCodec.parse(spec);
    }

    /** Returns the codec's canonical spec, as written in configs and on the wire. */
    String name();

    /** Returns whether this codec sends any role in {@code direction} other than as fp32. */
    boolean approximates(Direction direction);

    /** Returns whether this codec sends {@code role} in {@code direction} other than as fp32. */
    boolean approximates(Direction direction, TensorRole role);

    /** Returns the version of the storage frame this codec writes. */
    int version();

    /** Encodes a message for storage, losslessly. */
    byte[] encode(Message message);

    /**
     * Encodes one tensor's values for the wire as this codec chooses for its role and direction.
     *
     * @param tensor the values
     * @param role what they are
     * @param direction which way they travel
     * @param stream names the sequence of tensors this one belongs to, for top-k's error feedback:
     *     the participant and the tensor's name
     * @param reference what the receiver already holds of this tensor (the task's weights a reply
     *     answers), or null; top-k of weights sends the change from it
     * @param feedback where top-k finds and keeps what the stream has not sent yet
     */
    EncodedValues encodeValues(
            Tensor tensor,
            TensorRole role,
            Direction direction,
            String stream,
            Tensor reference,
            FeedbackMemory feedback);

    /**
     * Returns a tensor as its receiver reads it once this codec has carried it alone (no reference
     * to send a change from, no error feedback): what a participant starts from when a task's
     * weights travel down in a lossy encoding.
     */
    default Tensor asReceived(Tensor tensor, TensorRole role, Direction direction) {
        EncodedValues encoded =
                encodeValues(tensor, role, direction, "", null, FeedbackMemory.none());
        return decodeValues(
                encoded.encoding(),
                encoded.deflated(),
                tensor.shape(),
                encoded.bytes(),
                0,
                encoded.bytes().length);
    }

    /**
     * Decodes the values of a tensor of this shape from {@code length} bytes of {@code bytes} at
     * {@code offset}, whatever codec encoded them.
     *
     * @throws CodecException when the slice does not hold exactly such a tensor
     */
    static Tensor decodeValues(
            ValueEncoding encoding,
            boolean deflated,
            int[] shape,
            byte[] bytes,
            int offset,
            int length) {
        return PolicyCodec.decodeValues(encoding, deflated, shape, bytes, offset, length);
    }

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
     * Decodes bytes {@link #encode} wrote.
     *
     * @throws CodecException if the bytes are malformed or written by another codec or version
     */
    Message decode(byte[] bytes);
}
