package io.fedistill.core.secagg;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Identifies one round of secure aggregation and the participants selected for it, in the order
 * that fixes each one's Shamir x-coordinate (its position plus one) and the sign of each pairwise
 * mask.
 *
 * <p>The coordinator derives {@code neighbourhoodSeed} for each round from the run's seed and tells
 * every participant; full SecAgg ignores it. A coordinator that does not follow the protocol
 * chooses it, and with it who neighbours whom in SecAgg+.
 *
 * @param round the round number, bound into every key derivation and ciphertext
 * @param roster the distinct, non-blank ids of the participants selected for the round
 * @param neighbourhoodSeed the seed of the random ordering a sparse neighbourhood is laid out on
 */
public record SecAggRound(int round, List<String> roster, long neighbourhoodSeed) {
    /**
     * Copies the roster and validates it.
     *
     * @throws IllegalArgumentException if the roster is empty, holds a blank id or repeats one
     */
    public SecAggRound {
        roster = List.copyOf(Objects.requireNonNull(roster, "roster"));
        if (roster.isEmpty()) {
            throw new IllegalArgumentException("roster of round " + round + " is empty");
        }
        Set<String> seen = new HashSet<>();
        for (String id : roster) {
            if (id.isBlank()) {
                throw new IllegalArgumentException(
                        "roster of round " + round + " holds a blank participant id");
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException(
                        "roster of round " + round + " lists participant " + id + " twice");
            }
        }
    }

    /**
     * Refuses a message of another round.
     *
     * @param messageRound the round the message names
     * @param what the message, for the error
     * @param holder who checks, e.g. "the server is running", for the error
     * @throws IllegalArgumentException when the rounds differ
     */
    void requireSameRound(int messageRound, String what, String holder) {
        if (messageRound != round) {
            throw new IllegalArgumentException(
                    what
                            + " came from round "
                            + messageRound
                            + ", but "
                            + holder
                            + " round "
                            + round);
        }
    }
}
