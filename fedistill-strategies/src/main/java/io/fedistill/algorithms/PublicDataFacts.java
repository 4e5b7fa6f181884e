package io.fedistill.algorithms;

import java.util.Optional;

/**
 * What a coordinator half knows of a federation's public data without holding it: how many samples
 * it has and whether their labels may be used.
 *
 * @param size the number of public samples
 * @param labeled whether their labels may be used
 */
public record PublicDataFacts(int size, boolean labeled) {
    /**
     * Returns the public data, checking that there is some and that it can supply subsets of {@code
     * subsetSize} samples.
     *
     * @throws IllegalArgumentException naming the algorithm and what is missing
     */
    public static PublicDataFacts require(
            String algorithm, Optional<PublicDataFacts> publicData, int subsetSize) {
        PublicDataFacts facts =
                publicData.orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        algorithm
                                                + " distills on public data; declare publicData in"
                                                + " the experiment"));
        if (subsetSize > facts.size()) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": subsetSize "
                            + subsetSize
                            + " exceeds the public data's "
                            + facts.size()
                            + " samples");
        }
        return facts;
    }
}
