package io.fedistill.core.codec;

import io.fedistill.core.fleet.Direction;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The codec: a choice of encoding per direction and role, DEFLATE on top or not, top-k
 * sparsification with error feedback kept in the caller's {@link FeedbackMemory}, and the storage
 * frame (magic, codec name and version, the message header, metrics, config, then each tensor's
 * name, role, shape and fp32 values).
 *
 * <p>Version 3 of the frame carries each tensor's role; version 2 (no roles) and version 1 (a
 * closed set of kinds, no ids) are refused by name.
 */
final class PolicyCodec implements Codec {
    static final String FP32_NAME = "fp32";
    static final PolicyCodec FP32 = new PolicyCodec(new EnumMap<>(Direction.class), false);

    private static final int MAGIC = 0x46445354; // "FDST"
    private static final int MAX_RANK = 8;
    private static final String COMPRESSION = "compression";
    private static final String TOP_K = "topk:";

    /**
     * How one role travels in one direction.
     *
     * @param encoding the values' encoding
     * @param topFraction the share of values top-k sparsification keeps, or 0 for none
     */
    private record Choice(ValueEncoding encoding, double topFraction) {
        static final Choice LOSSLESS = new Choice(ValueEncoding.FP32, 0);
        static final Choice WORDS = new Choice(ValueEncoding.UINT16, 0);

        String spec() {
            return topFraction > 0 ? TOP_K + topFraction : encoding.configName();
        }

        /**
         * Returns whether this choice may carry a role in a direction: lossy encodings any
         * approximable role; top-k logits and features, and weights going up, where it sends their
         * change from the task's (its error feedback would push probabilities out of [0, 1], and
         * tasks going down have no weights to take a change from).
         */
        boolean suits(TensorRole role, Direction direction) {
            if (!role.approximable()) {
                return false;
            }
            return topFraction == 0
                    || role == TensorRole.LOGITS
                    || role == TensorRole.FEATURES
                    || (role == TensorRole.WEIGHTS && direction == Direction.UP);
        }
    }

    private final Map<Direction, Map<TensorRole, Choice>> choices;
    private final boolean deflate;
    private final String name;

    private PolicyCodec(Map<Direction, Map<TensorRole, Choice>> choices, boolean deflate) {
        this.choices = choices;
        this.deflate = deflate;
        List<String> items = new ArrayList<>();
        for (Direction direction : List.of(Direction.UP, Direction.DOWN)) {
            choices.getOrDefault(direction, Map.of())
                    .forEach(
                            (role, choice) ->
                                    items.add(
                                            direction.name().toLowerCase(Locale.ROOT)
                                                    + '.'
                                                    + role.wireName()
                                                    + '='
                                                    + choice.spec()));
        }
        if (deflate) {
            items.add(COMPRESSION + "=deflate");
        }
        this.name = items.isEmpty() ? FP32_NAME : String.join(",", items);
    }

    /** Parses a spec; see {@link Codec}. */
    static PolicyCodec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "a codec spec is empty; e.g. fp32 or up.logits=fp16");
        }
        if (spec.equals(FP32_NAME)) {
            return FP32;
        }
        Map<Direction, Map<TensorRole, Choice>> choices = new EnumMap<>(Direction.class);
        boolean deflate = false;
        for (String item : spec.split(",", -1)) {
            String trimmed = item.trim();
            int equals = trimmed.indexOf('=');
            if (equals < 0) {
                // a bare encoding: every role it suits, both ways
                Choice choice = choice(trimmed, spec);
                for (Direction direction : Direction.values()) {
                    for (TensorRole role : TensorRole.values()) {
                        if (choice.suits(role, direction)) {
                            put(choices, direction, role, choice);
                        }
                    }
                }
                continue;
            }
            String key = trimmed.substring(0, equals).trim();
            String value = trimmed.substring(equals + 1).trim();
            if (key.equals(COMPRESSION)) {
                if (!value.equals("deflate") && !value.equals("none")) {
                    throw new IllegalArgumentException(
                            "codec '"
                                    + spec
                                    + "': compression is deflate or none, not '"
                                    + value
                                    + "'");
                }
                deflate = value.equals("deflate");
                continue;
            }
            String[] parts = key.split("\\.", -1);
            Direction direction = direction(parts[0], spec);
            Choice choice = choice(value, spec);
            if (parts.length == 1) {
                for (TensorRole role : TensorRole.values()) {
                    if (choice.suits(role, direction)) {
                        put(choices, direction, role, choice);
                    }
                }
            } else if (parts.length == 2) {
                TensorRole role;
                try {
                    role = TensorRole.fromWireName(parts[1]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "codec '" + spec + "': " + e.getMessage(), e);
                }
                if (!role.approximable() && choice.encoding() != ValueEncoding.FP32) {
                    throw new IllegalArgumentException(
                            "codec '"
                                    + spec
                                    + "': "
                                    + role.wireName()
                                    + " must arrive exactly, so '"
                                    + trimmed
                                    + "' is not allowed (only fp32)");
                }
                if (!choice.suits(role, direction) && role.approximable()) {
                    throw new IllegalArgumentException(
                            "codec '"
                                    + spec
                                    + "': top-k sends a tensor's largest values and feeds back the"
                                    + " rest, which suits logits and features; "
                                    + role.wireName()
                                    + " would arrive as "
                                    + (role == TensorRole.PROBABILITIES
                                            ? "rows that no longer sum to one"
                                            : "mostly zero weights, with no task weights to"
                                                    + " send a change from going down")
                                    + ", so '"
                                    + trimmed
                                    + "' is not allowed");
                }
                put(choices, direction, role, choice);
            } else {
                throw new IllegalArgumentException(
                        "codec '"
                                + spec
                                + "': '"
                                + key
                                + "' is not up, down, up.<role> or down.<role>");
            }
        }
        return new PolicyCodec(choices, deflate);
    }

    private static void put(
            Map<Direction, Map<TensorRole, Choice>> choices,
            Direction direction,
            TensorRole role,
            Choice choice) {
        Map<TensorRole, Choice> byRole =
                choices.computeIfAbsent(direction, d -> new EnumMap<>(TensorRole.class));
        if (choice.equals(Choice.LOSSLESS)) {
            byRole.remove(role);
        } else {
            byRole.put(role, choice);
        }
    }

    private static Direction direction(String word, String spec) {
        switch (word) {
            case "up":
                return Direction.UP;
            case "down":
                return Direction.DOWN;
            default:
                throw new IllegalArgumentException(
                        "codec '" + spec + "': '" + word + "' is no direction; use up or down");
        }
    }

    private static Choice choice(String value, String spec) {
        if (value.startsWith(TOP_K)) {
            double fraction;
            try {
                fraction = Double.parseDouble(value.substring(TOP_K.length()));
            } catch (NumberFormatException e) {
                fraction = Double.NaN;
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException(
                        "codec '"
                                + spec
                                + "': top-k keeps a fraction in (0, 1] of the values, e.g."
                                + " topk:0.1, not '"
                                + value
                                + "'");
            }
            return new Choice(ValueEncoding.SPARSE, fraction);
        }
        try {
            ValueEncoding encoding = ValueEncoding.fromConfigName(value);
            if (encoding == ValueEncoding.SPARSE) {
                throw new IllegalArgumentException("sparse values come from topk:<fraction>");
            }
            if (encoding == ValueEncoding.UINT16) {
                throw new IllegalArgumentException(
                        "uint16 carries secure aggregation's masked words, which it picks itself");
            }
            return new Choice(encoding, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "codec '" + spec + "': " + e.getMessage() + ", or topk:<fraction>", e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean approximates(Direction direction) {
        return !choices.getOrDefault(direction, Map.of()).isEmpty();
    }

    @Override
    public boolean approximates(Direction direction, TensorRole role) {
        return choices.getOrDefault(direction, Map.of()).containsKey(role);
    }

    @Override
    public int version() {
        return 3;
    }

    @Override
    public EncodedValues encodeValues(
            Tensor tensor,
            TensorRole role,
            Direction direction,
            String stream,
            Tensor reference,
            FeedbackMemory feedback) {
        Choice choice =
                role == TensorRole.WORDS
                        ? Choice.WORDS
                        : choices.getOrDefault(direction, Map.of())
                                .getOrDefault(role, Choice.LOSSLESS);
        boolean delta =
                choice.topFraction() > 0
                        && role == TensorRole.WEIGHTS
                        && reference != null
                        && reference.hasShape(tensor.shape());
        if (choice.topFraction() > 0 && role == TensorRole.WEIGHTS && !delta) {
            choice = Choice.LOSSLESS; // no weights to take a change from: sent whole
        }
        Tensor sent =
                choice.topFraction() > 0
                        ? topK(
                                delta ? minus(tensor, reference) : tensor,
                                choice.topFraction(),
                                direction + "/" + stream,
                                feedback)
                        : tensor;
        byte[] encoded = choice.encoding().encodeValues(sent);
        return deflate
                ? new EncodedValues(choice.encoding(), true, delta, deflate(encoded))
                : new EncodedValues(choice.encoding(), false, delta, encoded);
    }

    private static Tensor minus(Tensor tensor, Tensor reference) {
        float[] change = tensor.toFloatArray();
        for (int i = 0; i < change.length; i++) {
            change[i] -= reference.get(i);
        }
        return Tensor.wrap(tensor.shape(), change);
    }

    /**
     * Keeps the {@code fraction} largest magnitudes of the tensor plus what earlier rounds of this
     * stream did not send (error feedback), and remembers what it does not send now.
     */
    private static Tensor topK(
            Tensor tensor, double fraction, String stream, FeedbackMemory feedback) {
        int n = tensor.size();
        float[] corrected = tensor.toFloatArray();
        Optional<Tensor> residual = feedback.residual(stream);
        if (residual.isPresent() && residual.get().size() == n) {
            for (int i = 0; i < n; i++) {
                corrected[i] += residual.get().get(i);
            }
        }
        int k = (int) Math.min(n, Math.max(1, Math.ceil(fraction * n)));
        float threshold = 0f;
        if (n > 0) {
            float[] magnitudes = new float[n];
            for (int i = 0; i < n; i++) {
                magnitudes[i] = Math.abs(corrected[i]);
            }
            Arrays.sort(magnitudes);
            threshold = magnitudes[n - k];
        }
        float[] sent = new float[n];
        float[] left = new float[n];
        int kept = 0;
        // the k largest magnitudes, ties broken by the lower index
        for (int i = 0; i < n; i++) {
            if (Math.abs(corrected[i]) > threshold) {
                sent[i] = corrected[i];
                kept++;
            }
        }
        for (int i = 0; i < n && kept < k; i++) {
            if (Math.abs(corrected[i]) == threshold) {
                sent[i] = corrected[i];
                kept++;
            }
        }
        for (int i = 0; i < n; i++) {
            left[i] = corrected[i] - sent[i];
        }
        feedback.remember(stream, Tensor.wrap(tensor.shape(), left));
        return Tensor.wrap(tensor.shape(), sent);
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static Tensor decodeValues(
            ValueEncoding encoding,
            boolean deflated,
            int[] shape,
            byte[] bytes,
            int offset,
            int length) {
        if (!deflated) {
            return encoding.decodeValues(shape, bytes, offset, length);
        }
        ValueEncoding.checkSlice(bytes, offset, length);
        long limit = encoding.maxEncodedLength(checkedElementCount(shape));
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes, offset, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CodecException("deflated values are truncated");
                }
                if (out.size() + (long) n > limit) {
                    throw new CodecException(
                            "deflated values inflate beyond the "
                                    + limit
                                    + " bytes a tensor of this shape can take");
                }
                out.write(buffer, 0, n);
            }
            if (inflater.getRemaining() > 0) {
                throw new CodecException(
                        inflater.getRemaining() + " bytes left over after the deflated values");
            }
            byte[] inflated = out.toByteArray();
            return encoding.decodeValues(shape, inflated, 0, inflated.length);
        } catch (DataFormatException e) {
            throw new CodecException("deflated values are corrupt: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

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
                out.writeUTF(message.tensors().role(e.getKey()).wireName());
                out.write(ValueEncoding.FP32.encodeValues(e.getValue()));
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
                TensorRole role = TensorRole.fromWireName(in.readUTF());
                byte[] raw = new byte[4 * count];
                in.readFully(raw);
                tensors.put(
                        tensorName,
                        ValueEncoding.FP32.decodeValues(shape, raw, 0, raw.length),
                        role);
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

    /** Returns the element count of a shape, refusing an invalid one with a codec exception. */
    private static int checkedElementCount(int[] shape) {
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
