package io.fedistill.core.tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a tensor in a message holds, declared by the algorithm that puts it there, so that codecs,
 * and later privacy and secure-aggregation policies, act by role: a codec that sends logits in 16
 * bits leaves counts and indices exact.
 *
 * <p>A tensor put without a role is {@link #EXACT}: nothing lossy touches a value by accident.
 */
public enum TensorRole {
    /** Model parameters: weights, biases, running statistics. */
    WEIGHTS(true),
    /** Unnormalized scores: per-label mean logits, class scores on public data. */
    LOGITS(true),
    /** Values in [0, 1]: soft labels, probabilities. */
    PROBABILITIES(true),
    /** Activations of a feature extractor: features, prototypes. */
    FEATURES(true),
    /** Non-negative whole numbers: examples per label, samples seen. */
    COUNTS(false),
    /** Anything that must arrive bit for bit: indices, identifiers, stored state. */
    EXACT(false),
    /**
     * Whole numbers in [0, 65535], the 16-bit halves of the ring elements secure aggregation sums
     * (a masked vector): always sent as unsigned 16-bit integers.
     */
    WORDS(false);

    private final boolean approximable;

    TensorRole(boolean approximable) {
        this.approximable = approximable;
    }

    /** Returns whether a lossy encoding may carry this role (counts and exact values: never). */
    public boolean approximable() {
        return approximable;
    }

    /** Returns the role's name in configs and on the wire: lower case, e.g. {@code logits}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Returns the role with this wire name.
     *
     * @throws IllegalArgumentException naming the unknown role and the known ones
     */
    public static TensorRole fromWireName(String name) {
        for (TensorRole role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException(
                "unknown tensor role '"
                        + name
                        + "'; known: "
                        + Arrays.stream(values()).map(TensorRole::wireName).toList());
    }

    /**
     * How far a probability may stray outside [0, 1] and still be one: the rounding of a lossy
     * encoding (int8's {@code 127 * (max / 127)} may exceed {@code max} by an ulp).
     */
    private static final float PROBABILITY_SLACK = 1e-6f;

    /**
     * Returns why {@code tensor} cannot hold this role's values, or {@code null} when it can:
     * probabilities lie in [0, 1] (give or take rounding) and counts are non-negative whole
     * numbers.
     */
    public String violation(Tensor tensor) {
        for (int i = 0; i < tensor.size(); i++) {
            float v = tensor.get(i);
            if (this == PROBABILITIES
                    && !(v >= -PROBABILITY_SLACK && v <= 1f + PROBABILITY_SLACK)) {
                return "probability " + v + " at index " + i + " is outside [0, 1]";
            }
            if (this == COUNTS && !(v >= 0f && v == Math.rint(v))) {
                return "count " + v + " at index " + i + " is not a non-negative whole number";
            }
            if (this == WORDS && !(v >= 0f && v <= 65535f && v == Math.rint(v))) {
                return "word " + v + " at index " + i + " is not a whole number in [0, 65535]";
            }
        }
        return null;
    }
}
