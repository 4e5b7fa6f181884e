package io.fedistill.core.codec;

import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The frame every codec shares: magic, codec name and version, the message header, metrics and
 * config; subclasses decide only how a tensor's values are written.
 *
 * <p>Version 2 of the frame carries the message id, the id it replies to, its time to live and its
 * namespaced type; version 1 (a closed set of kinds, no ids) is refused by name.
 */
abstract class FramedCodec implements Codec {
    private static final int MAGIC = 0x46445354; // "FDST"
    private static final int MAX_RANK = 8;

    /** Writes the values of one tensor. */
    protected abstract void writeValues(Tensor tensor, DataOutputStream out) throws IOException;

    /** Reads the values of a tensor of the given element count. */
    protected abstract float[] readValues(int count, DataInputStream in) throws IOException;

    @Override
    public final byte[] encode(Message message) {
        ByteArrayOutputStream bytes =
                new ByteArrayOutputStream(
                        256
                                + 4
                                        * (int)
                                                Math.min(
                                                        Integer.MAX_VALUE / 8,
                                                        message.tensors().elementCount()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(name());
            out.writeInt(version());
            out.writeUTF(message.id());
            out.writeUTF(message.replyTo().orElse(""));
            out.writeLong(message.timeToLive().toMillis());
            out.writeInt(message.round());
            out.writeUTF(message.type().name());
            out.writeUTF(message.participantId());
            out.writeBoolean(message.error().isPresent());
            if (message.error().isPresent()) {
                out.writeUTF(message.error().get());
                out.flush();
                return bytes.toByteArray();
            }
            out.writeInt(message.metrics().values().size());
            for (Map.Entry<String, Double> e : message.metrics().values().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeDouble(e.getValue());
            }
            out.writeInt(message.config().values().size());
            for (Map.Entry<String, Object> e : message.config().values().entrySet()) {
                out.writeUTF(e.getKey());
                writeScalar(e.getValue(), out);
            }
            out.writeInt(message.tensors().size());
            for (Map.Entry<String, Tensor> e : message.tensors().asMap().entrySet()) {
                out.writeUTF(e.getKey());
                int[] shape = e.getValue().shape();
                out.writeByte(shape.length);
                for (int dim : shape) {
                    out.writeInt(dim);
                }
                writeValues(e.getValue(), out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public final Message decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new CodecException("not a fedistill message (bad magic number)");
            }
            String codecName = in.readUTF();
            int codecVersion = in.readInt();
            if (!codecName.equals(name())) {
                throw new CodecException(
                        "message was encoded by codec '"
                                + codecName
                                + "', this is '"
                                + name()
                                + "'");
            }
            if (codecVersion != version()) {
                throw new CodecException(
                        "codec '"
                                + name()
                                + "' version "
                                + codecVersion
                                + " is unknown; this build reads version "
                                + version());
            }
            String id = in.readUTF();
            String replyToField = in.readUTF();
            Optional<String> replyTo =
                    replyToField.isEmpty() ? Optional.empty() : Optional.of(replyToField);
            Duration timeToLive = Duration.ofMillis(in.readLong());
            int round = in.readInt();
            MessageType type = readType(in.readUTF());
            String participantId = in.readUTF();
            if (in.readBoolean()) {
                String reason = in.readUTF();
                return new Message(
                        id,
                        replyTo,
                        timeToLive,
                        round,
                        type,
                        participantId,
                        TensorRecord.empty(),
                        Metrics.empty(),
                        ConfigRecord.empty(),
                        Optional.of(reason));
            }
            LinkedHashMap<String, Double> metrics = new LinkedHashMap<>();
            int metricCount = checkedCount(in.readInt(), "metric");
            for (int i = 0; i < metricCount; i++) {
                metrics.put(in.readUTF(), in.readDouble());
            }
            LinkedHashMap<String, Object> config = new LinkedHashMap<>();
            int configCount = checkedCount(in.readInt(), "config");
            for (int i = 0; i < configCount; i++) {
                String key = in.readUTF();
                config.put(key, readScalar(in, key));
            }
            TensorRecord.Builder tensors = TensorRecord.builder();
            int tensorCount = checkedCount(in.readInt(), "tensor");
            for (int i = 0; i < tensorCount; i++) {
                String tensorName = in.readUTF();
                int rank = in.readUnsignedByte();
                if (rank > MAX_RANK) {
                    throw new CodecException(
                            "tensor '" + tensorName + "' has rank " + rank + " > " + MAX_RANK);
                }
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readInt();
                }
                int count;
                try {
                    count = Tensor.elementCount(shape);
                } catch (IllegalArgumentException e) {
                    throw new CodecException("tensor '" + tensorName + "': " + e.getMessage(), e);
                }
                if ((long) count > bytes.length) {
                    throw new CodecException(
                            "tensor '"
                                    + tensorName
                                    + "' claims more values than the message holds");
                }
                tensors.put(tensorName, Tensor.wrap(shape, readValues(count, in)));
            }
            if (in.available() > 0) {
                throw new CodecException(in.available() + " trailing bytes after the message");
            }
            return new Message(
                    id,
                    replyTo,
                    timeToLive,
                    round,
                    type,
                    participantId,
                    tensors.build(),
                    new Metrics(metrics),
                    new ConfigRecord(config),
                    Optional.empty());
        } catch (EOFException e) {
            throw new CodecException("message is truncated", e);
        } catch (IOException e) {
            throw new CodecException("message cannot be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CodecException("message is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * Encodes one tensor's values as {@link #writeValues} writes them inside a message; a codec may
     * override this with a faster path that produces the same bytes.
     */
    @Override
    public byte[] encodeValues(Tensor tensor) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4 * tensor.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeValues(tensor, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes values as {@link #readValues} reads them; a codec may override this with a faster
     * path that accepts and refuses the same bytes.
     */
    @Override
    public Tensor decodeValues(int[] shape, byte[] bytes, int offset, int length) {
        checkSlice(bytes, offset, length);
        int count = checkedElementCount(shape);
        try (DataInputStream in =
                new DataInputStream(new ByteArrayInputStream(bytes, offset, length))) {
            if ((long) count > length) {
                throw new CodecException(
                        length + " bytes cannot hold the " + count + " values of the shape");
            }
            float[] values = readValues(count, in);
            if (in.available() > 0) {
                throw new CodecException(
                        in.available() + " bytes left over after " + count + " values");
            }
            return Tensor.wrap(shape.clone(), values);
        } catch (EOFException e) {
            throw new CodecException(
                    length + " bytes are too few for the " + count + " values of the shape", e);
        } catch (IOException e) {
            throw new CodecException("values cannot be read: " + e.getMessage(), e);
        }
    }

    /** Refuses a slice that does not lie within the array. */
    protected static void checkSlice(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new CodecException(
                    "slice of "
                            + length
                            + " bytes at "
                            + offset
                            + " lies outside "
                            + bytes.length
                            + " bytes");
        }
    }

    /** Returns the element count of a shape, refusing an invalid one with a codec exception. */
    protected static int checkedElementCount(int[] shape) {
        try {
            return Tensor.elementCount(shape);
        } catch (IllegalArgumentException e) {
            throw new CodecException("tensor shape: " + e.getMessage(), e);
        }
    }

    private static int checkedCount(int count, String what) {
        if (count < 0 || count > 1_000_000) {
            throw new CodecException("implausible " + what + " count " + count);
        }
        return count;
    }

    private static MessageType readType(String name) {
        try {
            return new MessageType(name);
        } catch (IllegalArgumentException e) {
            throw new CodecException(e.getMessage(), e);
        }
    }

    private static void writeScalar(Object value, DataOutputStream out) throws IOException {
        if (value instanceof Long l) {
            out.writeByte('L');
            out.writeLong(l);
        } else if (value instanceof Double d) {
            out.writeByte('D');
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeByte('B');
            out.writeBoolean(b);
        } else {
            out.writeByte('S');
            out.writeUTF((String) value);
        }
    }

    private static Object readScalar(DataInputStream in, String key) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case 'L':
                return in.readLong();
            case 'D':
                return in.readDouble();
            case 'B':
                return in.readBoolean();
            case 'S':
                return in.readUTF();
            default:
                throw new CodecException("config '" + key + "' has unknown type tag " + tag);
        }
    }
}
