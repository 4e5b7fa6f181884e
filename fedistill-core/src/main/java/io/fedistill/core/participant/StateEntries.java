package io.fedistill.core.participant;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A participant's state entries (key to encoded record) carried in a message's tensors and back:
 * tensor {@code name} of the record under {@code key} travels as {@code key::name}. What the
 * host-level {@code fedistill.state} and {@code fedistill.restore} exchanges carry.
 */
public final class StateEntries {
    private static final String SEPARATOR = "::";

    private StateEntries() {}

    /** Returns the entries' records as one set of tensors. */
    public static TensorRecord toTensors(Map<String, byte[]> entries, Codec codec) {
        TensorRecord.Builder out = TensorRecord.builder();
        entries.forEach(
                (key, bytes) -> {
                    if (key.contains(SEPARATOR)) {
                        throw new IllegalArgumentException(
                                "state key '" + key + "' contains '" + SEPARATOR + "'");
                    }
                    codec.decodeRecord(bytes)
                            .asMap()
                            .forEach((name, tensor) -> out.put(key + SEPARATOR + name, tensor));
                });
        return out.build();
    }

    /**
     * Returns the entries {@link #toTensors} carried, each record encoded again with the codec (the
     * same records; the bytes differ from the originals only in the frame's message id).
     *
     * @throws IllegalArgumentException naming a tensor that carries no state key
     */
    public static Map<String, byte[]> fromTensors(TensorRecord tensors, Codec codec) {
        Map<String, TensorRecord.Builder> records = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.asMap().entrySet()) {
            int at = e.getKey().indexOf(SEPARATOR);
            if (at < 1) {
                throw new IllegalArgumentException(
                        "tensor '" + e.getKey() + "' names no state key (key::name)");
            }
            records.computeIfAbsent(e.getKey().substring(0, at), k -> TensorRecord.builder())
                    .put(e.getKey().substring(at + SEPARATOR.length()), e.getValue());
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        records.forEach((key, record) -> entries.put(key, codec.encodeRecord(record.build())));
        return entries;
    }
}
