package io.fedistill.core.secagg;

/**
 * How an algorithm sums its participants' uploads securely: the Shamir threshold, the
 * neighbourhood, the fixed-point clipping range, and whether participants sign (protection from a
 * coordinator that does not follow the protocol).
 *
 * @param threshold how many participants must remain at every stage, and how many shares rebuild a
 *     secret; 0 picks {@code max(2, ceil(2k / 3))} of the k participants in each closed
 *     neighbourhood (everyone taking part, in full SecAgg)
 * @param neighbours SecAgg+'s degree (even, at least 2), or 0 for full SecAgg (everyone is
 *     everyone's neighbour)
 * @param clip every value summed is clipped to [-clip, clip] before its fixed-point encoding, whose
 *     resolution is the finest that cannot overflow for the round's participants
 * @param signed whether participants sign their keys and the survivor list with their certificates
 *     (signed secure aggregation); a signed round raises a threshold at or below two thirds of each
 *     closed neighbourhood to just above, without which the signatures would not bind
 */
public record SecureSumSettings(int threshold, int neighbours, float clip, boolean signed) {
    /** Checks the ranges, naming the field and the bad value. */
    public SecureSumSettings {
        if (threshold != 0 && threshold < 2) {
            throw new IllegalArgumentException(
                    "secureThreshold must be 0 (two thirds) or >= 2, got " + threshold);
        }
        if (neighbours < 0 || neighbours == 1 || neighbours % 2 != 0) {
            throw new IllegalArgumentException(
                    "secureNeighbours must be 0 (everyone) or an even degree >= 2, got "
                            + neighbours);
        }
        if (neighbours != 0 && threshold > neighbours + 1) {
            throw new IllegalArgumentException(
                    "secureThreshold "
                            + threshold
                            + " is more than a neighbourhood of secureNeighbours "
                            + neighbours
                            + " holds (itself and its "
                            + neighbours
                            + " neighbours); use at most "
                            + (neighbours + 1));
        }
        if (!(clip > 0) || Float.isInfinite(clip)) {
            throw new IllegalArgumentException("secureClip must be > 0 and finite, got " + clip);
        }
    }

    /** Creates the settings of unsigned secure aggregation. */
    public SecureSumSettings(int threshold, int neighbours, float clip) {
        this(threshold, neighbours, clip, false);
    }

    /** Returns the round's config for {@code participants} summing vectors of {@code length}. */
    SecAggConfig config(int participants, int length) {
        Neighbourhood neighbourhood =
                neighbours == 0 || neighbours >= participants - 1
                        ? Neighbourhood.everyone()
                        : Neighbourhood.harary(neighbours);
        int closed = neighbourhood.closedNeighbourhoodSize(participants);
        int chosen = threshold != 0 ? threshold : Math.max(2, (2 * closed + 2) / 3);
        return new SecAggConfig(
                signed ? Math.max(chosen, SecAggConfig.signedMinimum(closed)) : chosen,
                neighbourhood,
                length,
                FixedPoint.forParticipants(clip, participants),
                signed);
    }
}
