package io.fedistill.core.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An ordered, immutable map from names to tensors: model weights, per-label logits, soft labels or
 * any other named payload a message carries. Each tensor has a {@link TensorRole} (by default
 * {@link TensorRole#EXACT}) that codecs and privacy policies act on.
 */
public final class TensorRecord {
    private static final TensorRecord EMPTY =
            new TensorRecord(new LinkedHashMap<>(), new LinkedHashMap<>());

    private final Map<String, Tensor> tensors;
    private final Map<String, TensorRole> roles;

    private TensorRecord(
            LinkedHashMap<String, Tensor> tensors, LinkedHashMap<String, TensorRole> roles) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.roles = Collections.unmodifiableMap(roles);
    }

    /** Returns the record with no tensors. */
    public static TensorRecord empty() {
        return EMPTY;
    }

    /** Returns a record holding one tensor, whose role is {@link TensorRole#EXACT}. */
    public static TensorRecord of(String name, Tensor tensor) {
        return builder().put(name, tensor).build();
    }

    /** Returns a record holding one tensor of the given role. */
    public static TensorRecord of(String name, Tensor tensor, TensorRole role) {
        return builder().put(name, tensor, role).build();
    }

    /** Returns a builder that keeps insertion order. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the names in order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** Returns the name-to-tensor view, in order. */
    public Map<String, Tensor> asMap() {
        return tensors;
    }

    /** Returns the named tensor if present. */
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * Returns the named tensor.
     *
     * @throws IllegalArgumentException naming the missing tensor and the ones present
     */
    public Tensor get(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException(
                    "no tensor named '" + name + "'; present: " + tensors.keySet());
        }
        return tensor;
    }

    /**
     * Returns the named tensor's role.
     *
     * @throws IllegalArgumentException naming the missing tensor and the ones present
     */
    public TensorRole role(String name) {
        get(name);
        return roles.get(name);
    }

    /** Returns this record with every tensor given {@code role}: how model weights are declared. */
    public TensorRecord withRole(TensorRole role) {
        Builder out = builder();
        tensors.forEach((name, tensor) -> out.put(name, tensor, role));
        return out.build();
    }

    /** Returns whether the record holds no tensors. */
    public boolean isEmpty() {
        return tensors.isEmpty();
    }

    /** Returns the number of tensors. */
    public int size() {
        return tensors.size();
    }

    /** Returns the total number of float elements over all tensors. */
    public long elementCount() {
        long total = 0;
        for (Tensor t : tensors.values()) {
            total += t.size();
        }
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorRecord r && tensors.equals(r.tensors) && roles.equals(r.roles);
    }

    @Override
    public int hashCode() {
        return 31 * tensors.hashCode() + roles.hashCode();
    }

    @Override
    public String toString() {
        return "TensorRecord" + tensors;
    }

    /**
     * Returns the sections under {@code prefix} by their next name segment: for names {@code
     * prefix/key/rest}, each key's tensors named {@code rest}, keys in first-seen order.
     */
    public Map<String, TensorRecord> sections(String prefix) {
        Map<String, TensorRecord> byKey = new LinkedHashMap<>();
        String start = prefix + '/';
        for (String name : tensors.keySet()) {
            if (name.startsWith(start)) {
                int slash = name.indexOf('/', start.length());
                if (slash > 0) {
                    String key = name.substring(start.length(), slash);
                    byKey.computeIfAbsent(key, k -> section(start + k));
                }
            }
        }
        return byKey;
    }

    /** Returns whether {@code other} has exactly this record's names, in order, and shapes. */
    private boolean hasLayoutOf(TensorRecord other) {
        if (!List.copyOf(tensors.keySet()).equals(List.copyOf(other.tensors.keySet()))) {
            return false;
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (!other.tensors.get(e.getKey()).hasShape(e.getValue().shape())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code replacement} when it has this record's layout (names, order, shapes): how a
     * strategy checks a checkpoint before taking it.
     *
     * @throws IllegalArgumentException naming {@code what} when the layouts differ
     */
    public TensorRecord requireSameLayout(TensorRecord replacement, String what) {
        if (!hasLayoutOf(replacement)) {
            throw new IllegalArgumentException(
                    "the checkpoint's "
                            + what
                            + " "
                            + replacement.names()
                            + " does not fit "
                            + names());
        }
        return replacement;
    }

    /**
     * Returns the tensors whose names start with {@code section + "/"}, with that prefix removed:
     * how a snapshot made of several records (see {@link Builder#putSection}) is read back.
     */
    public TensorRecord section(String section) {
        String prefix = section + '/';
        Builder inside = builder();
        tensors.forEach(
                (name, tensor) -> {
                    if (name.startsWith(prefix)) {
                        inside.put(name.substring(prefix.length()), tensor, roles.get(name));
                    }
                });
        return inside.build();
    }

    /** Collects tensors in insertion order; a name may be given once. */
    public static final class Builder {
        private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        private final LinkedHashMap<String, TensorRole> roles = new LinkedHashMap<>();

        private Builder() {}

        /** Adds a tensor under a new name, with the role {@link TensorRole#EXACT}. */
        public Builder put(String name, Tensor tensor) {
            return put(name, tensor, TensorRole.EXACT);
        }

        /** Adds a tensor of the given role under a new name. */
        public Builder put(String name, Tensor tensor, TensorRole role) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(tensor, "tensor");
            Objects.requireNonNull(role, "role");
            if (tensors.putIfAbsent(name, tensor) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
            }
            roles.put(name, role);
            return this;
        }

        /** Adds every tensor of another record, keeping its roles. */
        public Builder putAll(TensorRecord record) {
            record.asMap().forEach((name, tensor) -> put(name, tensor, record.roles.get(name)));
            return this;
        }

        /**
         * Adds every tensor of another record under {@code section + "/" + name}, keeping its
         * roles.
         */
        public Builder putSection(String section, TensorRecord record) {
            record.asMap()
                    .forEach(
                            (name, tensor) ->
                                    put(section + '/' + name, tensor, record.roles.get(name)));
            return this;
        }

        /** Builds the immutable record. */
        public TensorRecord build() {
            return new TensorRecord(new LinkedHashMap<>(tensors), new LinkedHashMap<>(roles));
        }
    }
}
