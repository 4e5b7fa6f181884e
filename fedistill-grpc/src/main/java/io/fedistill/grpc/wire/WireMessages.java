package io.fedistill.grpc.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.codec.CodecException;
import io.fedistill.core.codec.EncodedValues;
import io.fedistill.core.codec.FeedbackMemory;
import io.fedistill.core.codec.ValueEncoding;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.grpc.proto.Chunk;
import io.fedistill.grpc.proto.ConfigEntry;
import io.fedistill.grpc.proto.Downlink;
import io.fedistill.grpc.proto.MessageHeader;
import io.fedistill.grpc.proto.Metric;
import io.fedistill.grpc.proto.TensorHeader;
import io.fedistill.grpc.proto.Uplink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Converts core messages to the protocol's header plus payload and back, and cuts payloads into
 * chunks. Everything read from the wire is checked here: a malformed header, a shape that does not
 * match its byte length or an unknown type becomes a {@link WireException} naming the problem.
 */
public final class WireMessages {
    private static final int MAX_RANK = 8;

    /** The chunk size unless a coordinator sets another: 1 MiB. */
    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

    /** The largest gRPC message either side accepts: one chunk and its item's framing. */
    public static final int MAX_MESSAGE_BYTES = DEFAULT_CHUNK_BYTES + (1 << 16);

    /** The largest payload unless a coordinator sets another: 1 GiB. */
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 1L << 30;

    private WireMessages() {}

    /**
     * A message ready to send: its header and the concatenated encoded values of its tensors.
     *
     * @param header the header
     * @param payload every tensor's values, in header order
     */
    public record Outgoing(MessageHeader header, byte[] payload) {}

    /**
     * Encodes a message's header and payload with the codec, as a message sent once (top-k keeps no
     * feedback): a task travels {@link Direction#DOWN}, a reply {@link Direction#UP}.
     */
    public static Outgoing encode(Message message, Codec codec, Direction direction) {
        return encode(message, codec, direction, Optional.empty(), FeedbackMemory.none());
    }

    /**
     * Encodes a message, a reply with the task it answers at hand: a codec may send the change of a
     * weight from the task's tensor of the same name, which the receiver adds back ({@link
     * #decode(MessageHeader, byte[], Optional)}); top-k's error feedback is kept in {@code
     * feedback} (a participant's state for its replies, the coordinator's memory for its tasks).
     */
    public static Outgoing encode(
            Message message,
            Codec codec,
            Direction direction,
            Optional<Message> task,
            FeedbackMemory feedback) {
        MessageHeader.Builder header =
                MessageHeader.newBuilder()
                        .setId(message.id())
                        .setReplyTo(message.replyTo().orElse(""))
                        .setTimeToLiveMs(message.timeToLive().toMillis())
                        .setRound(message.round())
                        .setType(message.type().name())
                        .setParticipantId(message.participantId());
        message.error().ifPresent(header::setError);
        message.metrics()
                .values()
                .forEach(
                        (name, value) ->
                                header.addMetrics(
                                        Metric.newBuilder().setName(name).setValue(value)));
        message.config().values().forEach((name, value) -> header.addConfig(entry(name, value)));
        List<byte[]> values = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : message.tensors().asMap().entrySet()) {
            TensorRole role = message.tensors().role(e.getKey());
            EncodedValues encoded =
                    codec.encodeValues(
                            e.getValue(),
                            role,
                            direction,
                            message.participantId() + '/' + e.getKey(),
                            task.flatMap(t -> t.tensors().find(e.getKey())).orElse(null),
                            feedback);
            values.add(encoded.bytes());
            TensorHeader.Builder tensor =
                    TensorHeader.newBuilder()
                            .setName(e.getKey())
                            .setByteLength(encoded.bytes().length)
                            .setEncodingValue(WIRE_ENCODINGS.indexOf(encoded.encoding()))
                            .setRoleValue(WIRE_ROLES.indexOf(role))
                            .setDeflated(encoded.deflated())
                            .setDelta(encoded.delta());
            for (int dim : e.getValue().shape()) {
                tensor.addShape(dim);
            }
            header.addTensors(tensor);
        }
        return new Outgoing(header.build(), concatenate(values));
    }

    private static ConfigEntry entry(String name, Object value) {
        ConfigEntry.Builder entry = ConfigEntry.newBuilder().setName(name);
        if (value instanceof Long l) {
            entry.setIntValue(l);
        } else if (value instanceof Double d) {
            entry.setDoubleValue(d);
        } else if (value instanceof Boolean b) {
            entry.setBoolValue(b);
        } else {
            entry.setStringValue((String) value);
        }
        return entry.build();
    }

    /**
     * What arrives at the other end of the wire, and the bytes it took there.
     *
     * @param message the message as the receiver decodes it
     * @param wireBytes the serialized size of its header and chunk items
     */
    public record Carried(Message message, long wireBytes) {}

    /**
     * Puts a message through the wire format without a network, as a task ({@code task}) or a
     * reply: encodes it, counts its header and chunk items as the network sends them, and decodes
     * the header and payload as a receiver does (reassembling chunks is the network's part, {@link
     * PayloadAssembler}). The simulation runs every message through here, so its byte counts are
     * the deployment's and codec effects are real.
     */
    public static Carried carry(Message message, Codec codec, boolean task) {
        return carry(message, codec, task, Optional.empty(), FeedbackMemory.none());
    }

    /**
     * Puts a task through the wire format as {@link #carry(Message, Codec, boolean)} does, keeping
     * top-k's error feedback in {@code feedback} (the coordinator's).
     */
    public static Carried carryTask(Message task, Codec codec, FeedbackMemory feedback) {
        return carry(task, codec, true, Optional.empty(), feedback);
    }

    /**
     * Puts a reply through the wire format as {@link #carry(Message, Codec, boolean)} does, with
     * the task it answers (as the participant received it) at both ends and top-k's error feedback
     * in {@code feedback} (the participant's state).
     */
    public static Carried carryReply(
            Message reply, Codec codec, Message task, FeedbackMemory feedback) {
        return carry(reply, codec, false, Optional.of(task), feedback);
    }

    private static Carried carry(
            Message message,
            Codec codec,
            boolean task,
            Optional<Message> answered,
            FeedbackMemory feedback) {
        Outgoing outgoing =
                encode(message, codec, task ? Direction.DOWN : Direction.UP, answered, feedback);
        List<? extends MessageLite> items =
                task
                        ? taskItems(outgoing, message.id(), DEFAULT_CHUNK_BYTES)
                        : replyItems(outgoing, message.id(), DEFAULT_CHUNK_BYTES);
        long bytes = 0;
        for (MessageLite item : items) {
            bytes += item.getSerializedSize();
        }
        // the receiver's side of the wire: the header parsed back, its size limit enforced, the
        // payload decoded
        MessageHeader received;
        try {
            received = MessageHeader.parseFrom(outgoing.header().toByteString());
        } catch (InvalidProtocolBufferException e) {
            throw new WireException("message header cannot be read back: " + e.getMessage(), e);
        }
        declaredPayload(received, DEFAULT_MAX_PAYLOAD_BYTES);
        return new Carried(decode(received, outgoing.payload(), answered), bytes);
    }

    /**
     * Returns the stream items that carry a task to a participant: its header, then its chunks;
     * top-k's error feedback is kept in {@code feedback} (the coordinator's).
     */
    public static List<Downlink> taskItems(
            Message task, Codec codec, int maxChunkBytes, FeedbackMemory feedback) {
        return taskItems(
                encode(task, codec, Direction.DOWN, Optional.empty(), feedback),
                task.id(),
                maxChunkBytes);
    }

    private static List<Downlink> taskItems(Outgoing outgoing, String id, int maxChunkBytes) {
        List<Downlink> items = new ArrayList<>();
        items.add(Downlink.newBuilder().setTask(outgoing.header()).build());
        for (Chunk chunk : chunks(id, outgoing.payload(), maxChunkBytes)) {
            items.add(Downlink.newBuilder().setChunk(chunk).build());
        }
        return items;
    }

    /**
     * Returns the items of a reply call to {@code task}, whose weights a codec may send deltas of:
     * its header, then its chunks; top-k's error feedback is kept in {@code feedback} (the
     * participant's state).
     */
    public static List<Uplink> replyItems(
            Message reply, Codec codec, int maxChunkBytes, Message task, FeedbackMemory feedback) {
        return replyItems(
                encode(reply, codec, Direction.UP, Optional.of(task), feedback),
                reply.id(),
                maxChunkBytes);
    }

    private static List<Uplink> replyItems(Outgoing outgoing, String id, int maxChunkBytes) {
        List<Uplink> items = new ArrayList<>();
        items.add(Uplink.newBuilder().setReply(outgoing.header()).build());
        for (Chunk chunk : chunks(id, outgoing.payload(), maxChunkBytes)) {
            items.add(Uplink.newBuilder().setChunk(chunk).build());
        }
        return items;
    }

    private static byte[] concatenate(List<byte[]> parts) {
        long total = 0;
        for (byte[] part : parts) {
            total += part.length;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new WireException("message payload of " + total + " bytes is too large");
        }
        byte[] out = new byte[(int) total];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    /**
     * Cuts a payload into chunks of at most {@code maxChunkBytes}; an empty payload is one chunk.
     * The chunks share the payload's bytes, which must not change afterwards.
     */
    public static List<Chunk> chunks(String messageId, byte[] payload, int maxChunkBytes) {
        List<Chunk> chunks = new ArrayList<>();
        int offset = 0;
        do {
            int length = Math.min(maxChunkBytes, payload.length - offset);
            chunks.add(
                    Chunk.newBuilder()
                            .setMessageId(messageId)
                            .setData(UnsafeByteOperations.unsafeWrap(payload, offset, length))
                            .setLast(offset + length == payload.length)
                            .build());
            offset += length;
        } while (offset < payload.length);
        return chunks;
    }

    /**
     * Returns the payload bytes a header declares, checking it against {@code maxPayloadBytes}, and
     * the values its shapes claim against what that many bytes hold in fp32: a sparse or deflated
     * tensor is small on the wire, but decoding it allocates every value of its shape. What a
     * receiver calls on a header before it takes the payload.
     */
    public static long declaredPayload(MessageHeader header, long maxPayloadBytes) {
        long values = 0;
        for (TensorHeader tensor : header.getTensorsList()) {
            long count = 1;
            for (int dim : tensor.getShapeList()) {
                count = dim < 0 ? Long.MAX_VALUE / 8 : Math.min(Long.MAX_VALUE / 8, count * dim);
            }
            values = Math.min(Long.MAX_VALUE / 8, values + count);
            if (4 * values > maxPayloadBytes) {
                throw new WireException(
                        "message "
                                + header.getId()
                                + " claims more values than the payload limit of "
                                + maxPayloadBytes
                                + " bytes holds (tensor '"
                                + tensor.getName()
                                + "')");
            }
        }
        return declaredBytes(header, maxPayloadBytes);
    }

    /** Returns the payload bytes a header declares, checking it against {@code maxPayloadBytes}. */
    private static long declaredBytes(MessageHeader header, long maxPayloadBytes) {
        long total = 0;
        for (TensorHeader tensor : header.getTensorsList()) {
            if (tensor.getByteLength() < 0 || tensor.getByteLength() > maxPayloadBytes) {
                throw new WireException(
                        "tensor '"
                                + tensor.getName()
                                + "' declares "
                                + tensor.getByteLength()
                                + " bytes, over the limit of "
                                + maxPayloadBytes);
            }
            total += tensor.getByteLength();
        }
        if (total > maxPayloadBytes) {
            throw new WireException(
                    "message "
                            + header.getId()
                            + " declares a payload of "
                            + total
                            + " bytes, over the limit of "
                            + maxPayloadBytes);
        }
        return total;
    }

    /**
     * Rebuilds a message from its header and payload.
     *
     * @throws WireException naming what is malformed
     */
    public static Message decode(MessageHeader header, byte[] payload) {
        return decode(header, payload, Optional.empty());
    }

    /**
     * Rebuilds a reply from its header and payload, adding back to every tensor sent as a change
     * ({@code delta}) the answered task's tensor of the same name.
     *
     * @throws WireException naming what is malformed, or a change with nothing to add it to
     */
    public static Message decode(MessageHeader header, byte[] payload, Optional<Message> task) {
        try {
            MessageType type = new MessageType(header.getType());
            Optional<String> replyTo =
                    header.getReplyTo().isEmpty()
                            ? Optional.empty()
                            : Optional.of(header.getReplyTo());
            Duration timeToLive = Duration.ofMillis(header.getTimeToLiveMs());
            boolean failed = !header.getError().isEmpty();
            if (failed
                    && (header.getTensorsCount() > 0
                            || header.getMetricsCount() > 0
                            || header.getConfigCount() > 0)) {
                throw new WireException(
                        "message " + header.getId() + " carries an error and content");
            }
            return new Message(
                    header.getId(),
                    replyTo,
                    timeToLive,
                    header.getRound(),
                    type,
                    header.getParticipantId(),
                    tensors(header, payload, task),
                    metrics(header),
                    config(header),
                    failed ? Optional.of(header.getError()) : Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new WireException(
                    "message " + shortId(header) + " is malformed: " + e.getMessage(), e);
        }
    }

    private static Metrics metrics(MessageHeader header) {
        LinkedHashMap<String, Double> metrics = new LinkedHashMap<>();
        for (Metric metric : header.getMetricsList()) {
            if (metrics.put(metric.getName(), metric.getValue()) != null) {
                throw new WireException("metric '" + metric.getName() + "' appears twice");
            }
        }
        return new Metrics(metrics);
    }

    private static ConfigRecord config(MessageHeader header) {
        LinkedHashMap<String, Object> config = new LinkedHashMap<>();
        for (ConfigEntry entry : header.getConfigList()) {
            if (config.put(entry.getName(), value(entry)) != null) {
                throw new WireException("config '" + entry.getName() + "' appears twice");
            }
        }
        return new ConfigRecord(config);
    }

    private static TensorRecord tensors(
            MessageHeader header, byte[] payload, Optional<Message> task) {
        long declared = declaredBytes(header, payload.length);
        if (declared != payload.length) {
            throw new WireException(
                    "message "
                            + header.getId()
                            + " declares "
                            + declared
                            + " payload bytes but carries "
                            + payload.length);
        }
        TensorRecord.Builder tensors = TensorRecord.builder();
        int offset = 0;
        for (TensorHeader tensor : header.getTensorsList()) {
            if (tensor.getShapeCount() > MAX_RANK) {
                throw new WireException(
                        "tensor '"
                                + tensor.getName()
                                + "' has rank "
                                + tensor.getShapeCount()
                                + " > "
                                + MAX_RANK);
            }
            int[] shape = tensor.getShapeList().stream().mapToInt(Integer::intValue).toArray();
            int length = (int) tensor.getByteLength();
            try {
                Tensor values =
                        Codec.decodeValues(
                                encoding(tensor),
                                tensor.getDeflated(),
                                shape,
                                payload,
                                offset,
                                length);
                tensors.put(
                        tensor.getName(),
                        tensor.getDelta() ? plusReference(tensor, values, task) : values,
                        role(tensor));
            } catch (CodecException e) {
                throw new WireException(
                        "tensor '"
                                + tensor.getName()
                                + "' of shape "
                                + Arrays.toString(shape)
                                + ": "
                                + e.getMessage(),
                        e);
            }
            offset += length;
        }
        return tensors.build();
    }

    /**
     * The wire's roles in the order of the {@code TensorRole} enum of the {@code .proto}, whose
     * numbers are what travels.
     */
    private static final List<TensorRole> WIRE_ROLES =
            List.of(
                    TensorRole.EXACT,
                    TensorRole.WEIGHTS,
                    TensorRole.LOGITS,
                    TensorRole.PROBABILITIES,
                    TensorRole.FEATURES,
                    TensorRole.COUNTS,
                    TensorRole.WORDS);

    /**
     * The wire's encodings in the order of the {@code ValueEncoding} enum of the {@code .proto}.
     */
    private static final List<ValueEncoding> WIRE_ENCODINGS =
            List.of(
                    ValueEncoding.FP32,
                    ValueEncoding.FP16,
                    ValueEncoding.BF16,
                    ValueEncoding.INT8,
                    ValueEncoding.SPARSE,
                    ValueEncoding.UINT16);

    private static TensorRole role(TensorHeader tensor) {
        int number = tensor.getRoleValue();
        if (number < 0 || number >= WIRE_ROLES.size()) {
            throw new WireException(
                    "tensor '" + tensor.getName() + "' has the unknown role number " + number);
        }
        return WIRE_ROLES.get(number);
    }

    /** Returns a tensor's encoding, refusing an unknown one and a lossy one for exact values. */
    private static ValueEncoding encoding(TensorHeader tensor) {
        int number = tensor.getEncodingValue();
        if (number < 0 || number >= WIRE_ENCODINGS.size()) {
            throw new WireException(
                    "tensor '" + tensor.getName() + "' has the unknown encoding number " + number);
        }
        ValueEncoding encoding = WIRE_ENCODINGS.get(number);
        TensorRole role = role(tensor);
        if (!role.approximable() && !encoding.lossless()) {
            throw new WireException(
                    "tensor '"
                            + tensor.getName()
                            + "' holds "
                            + role.wireName()
                            + ", which must arrive exactly, but is encoded "
                            + encoding.configName());
        }
        return encoding;
    }

    /** Returns a change sent as a delta plus the task's tensor it was taken from. */
    private static Tensor plusReference(
            TensorHeader tensor, Tensor change, Optional<Message> task) {
        Tensor reference =
                task.flatMap(t -> t.tensors().find(tensor.getName()))
                        .filter(r -> r.hasShape(change.shape()))
                        .orElseThrow(
                                () ->
                                        new WireException(
                                                "tensor '"
                                                        + tensor.getName()
                                                        + "' is sent as a change from a task"
                                                        + " tensor of its name and shape, which"
                                                        + " there is not"));
        float[] values = change.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] += reference.get(i);
        }
        return Tensor.wrap(change.shape(), values);
    }

    private static String shortId(MessageHeader header) {
        String id = header.getId();
        return id.length() > 64 ? id.substring(0, 64) + "..." : id;
    }

    private static Object value(ConfigEntry entry) {
        switch (entry.getValueCase()) {
            case INT_VALUE:
                return entry.getIntValue();
            case DOUBLE_VALUE:
                return entry.getDoubleValue();
            case BOOL_VALUE:
                return entry.getBoolValue();
            case STRING_VALUE:
                return entry.getStringValue();
            default:
                throw new WireException("config '" + entry.getName() + "' has no value");
        }
    }
}
