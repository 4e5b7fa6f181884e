package io.fedistill.core.strategy;

import io.fedistill.core.seed.Seeds;
import java.util.List;

/**
 * What a strategy knows about the round it runs: its number, the participants selected for it and
 * the run seed.
 *
 * @param round the round, from 1
 * @param totalRounds the number of rounds in the run
 * @param runSeed the run's seed
 * @param selected the participants selected for this round, in fleet order
 */
public record RoundContext(int round, int totalRounds, long runSeed, List<String> selected) {
    /** Validates and freezes the fields. */
    public RoundContext {
        if (round < 1 || round > totalRounds) {
            throw new IllegalArgumentException(
                    "round must be in 1.." + totalRounds + ", got " + round);
        }
        selected = List.copyOf(selected);
    }

    /** Returns a coordinator-side seed for one purpose in this round. */
    public long seed(String purpose) {
        return Seeds.derive(runSeed, round, "", purpose);
    }
}
