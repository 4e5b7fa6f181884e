package io.fedistill.core.secagg;

import java.util.Objects;

/**
 * Fixes what every round of secure aggregation in a run agrees on: how many shares reconstruct a
 * secret, who neighbours whom, how long the vectors are and how floats become ring elements.
 *
 * @param threshold how many shares reconstruct a participant's secrets, and how many participants
 *     (in SecAgg+, how many of each closed neighbourhood) must remain at every stage; at least 2,
 *     since with 1 every neighbour would hold the secrets outright
 * @param neighbourhood whom each participant shares secrets and pairwise masks with
 * @param vectorLength how many ring elements each participant contributes; positive
 * @param fixedPoint the encoding of float vectors, which also caps the number of participants
 * @param signed whether participants sign their keys and their view of the survivors, which
 *     protects them from a server that does not follow the protocol (the active-adversary variant
 *     of Bonawitz et al.); the threshold must then exceed two thirds of every closed neighbourhood,
 *     so that within a neighbourhood no two survivor lists can both gather threshold signatures
 *     even when up to a third of it colludes with the server
 */
public record SecAggConfig(
        int threshold,
        Neighbourhood neighbourhood,
        int vectorLength,
        FixedPoint fixedPoint,
        boolean signed) {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the bad parameter and its value
     */
    public SecAggConfig {
        Objects.requireNonNull(neighbourhood, "neighbourhood");
        Objects.requireNonNull(fixedPoint, "fixedPoint");
        if (threshold < 2) {
            throw new IllegalArgumentException("threshold must be >= 2, got " + threshold);
        }
        if (neighbourhood instanceof Neighbourhood.Harary harary
                && threshold > harary.degree() + 1) {
            throw new IllegalArgumentException(
                    "threshold must be at most the closed neighbourhood size (degree + 1 = "
                            + (harary.degree() + 1)
                            + "), got "
                            + threshold);
        }
        if (vectorLength < 1) {
            throw new IllegalArgumentException("vectorLength must be >= 1, got " + vectorLength);
        }
    }

    /**
     * Returns the smallest threshold signed secure aggregation accepts for closed neighbourhoods of
     * {@code closedSize}: more than two thirds of them. Two survivor lists that each gather that
     * many signatures then share more than a third of the neighbourhood, more than can collude with
     * the server and sign both.
     */
    static int signedMinimum(int closedSize) {
        return 2 * closedSize / 3 + 1;
    }

    /** Creates the config of unsigned (semi-honest) secure aggregation. */
    public SecAggConfig(
            int threshold, Neighbourhood neighbourhood, int vectorLength, FixedPoint fixedPoint) {
        this(threshold, neighbourhood, vectorLength, fixedPoint, false);
    }

    /**
     * Checks that a round can run under this config: enough participants for the threshold in every
     * closed neighbourhood, a threshold above two thirds of it when signed, and no more
     * participants than the fixed-point encoding can sum.
     *
     * @throws IllegalArgumentException naming the mismatch
     */
    void requireRunnable(SecAggRound round) {
        int participants = round.roster().size();
        int closedSize = neighbourhood.closedNeighbourhoodSize(participants);
        if (closedSize < threshold) {
            throw new IllegalArgumentException(
                    "round "
                            + round.round()
                            + " has closed neighbourhoods of "
                            + closedSize
                            + " participants, fewer than the threshold "
                            + threshold);
        }
        if (signed && threshold < signedMinimum(closedSize)) {
            throw new IllegalArgumentException(
                    "signed secure aggregation of round "
                            + round.round()
                            + " needs a threshold above two thirds of its closed neighbourhoods of "
                            + closedSize
                            + " participants (at least "
                            + signedMinimum(closedSize)
                            + "), so that no two survivor lists can both be signed by a"
                            + " threshold; got "
                            + threshold);
        }
        if (participants > fixedPoint.maxParticipants()) {
            throw new IllegalArgumentException(
                    "round "
                            + round.round()
                            + " has "
                            + participants
                            + " participants, more than the fixed-point encoding's maxParticipants "
                            + fixedPoint.maxParticipants());
        }
    }
}
