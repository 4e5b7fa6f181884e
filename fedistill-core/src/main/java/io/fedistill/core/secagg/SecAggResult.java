package io.fedistill.core.secagg;

import java.util.Arrays;
import java.util.List;

/**
 * Holds the outcome of a round of secure aggregation: the sum modulo 2^32 of the inputs of the
 * participants whose masked vectors reached the server, and who they were, so the caller can divide
 * by their number or weight.
 *
 * @param sum the sum of the contributors' inputs, modulo 2^32
 * @param contributors the participants whose inputs are in the sum, in roster order
 */
public record SecAggResult(int[] sum, List<String> contributors) {
    /** Copies the sum and the contributors. */
    public SecAggResult {
        sum = sum.clone();
        contributors = List.copyOf(contributors);
    }

    /** Returns a copy of the sum. */
    @Override
    public int[] sum() {
        return sum.clone();
    }

    /** Compares the results by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SecAggResult that
                && Arrays.equals(sum, that.sum)
                && contributors.equals(that.contributors);
    }

    /** Hashes the result by content. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sum) + contributors.hashCode();
    }

    /** Shows the contributors and the sum's length. */
    @Override
    public String toString() {
        return "SecAggResult[sum=" + sum.length + " values, contributors=" + contributors + "]";
    }
}
