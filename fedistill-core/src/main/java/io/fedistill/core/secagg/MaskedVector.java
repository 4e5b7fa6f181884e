package io.fedistill.core.secagg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Carries one participant's input at {@link SecAggStage#MASKED_INPUT}, hidden under its self mask
 * and its pairwise masks, all modulo 2^32.
 *
 * @param round the round the vector belongs to
 * @param sender the participant whose input it is
 * @param vector the masked input
 */
public record MaskedVector(int round, String sender, int[] vector) {
    /** Copies the vector. */
    public MaskedVector {
        Objects.requireNonNull(sender, "sender");
        vector = vector.clone();
    }

    /** Returns a copy of the masked input. */
    @Override
    public int[] vector() {
        return vector.clone();
    }

    /** Compares the masked vectors by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof MaskedVector that
                && round == that.round
                && sender.equals(that.sender)
                && Arrays.equals(vector, that.vector);
    }

    /** Hashes the masked vector by content. */
    @Override
    public int hashCode() {
        return Objects.hash(round, sender, Arrays.hashCode(vector));
    }

    /** Shows the sender and the vector's length. */
    @Override
    public String toString() {
        return "MaskedVector[round="
                + round
                + ", sender="
                + sender
                + ", vector="
                + vector.length
                + " values]";
    }
}
