package io.fedistill.core.participant;

import io.fedistill.core.seed.Seeds;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Simulated participant failures: named participants crash in named rounds, and every training
 * request may be dropped with a seeded probability. Evaluation requests are never dropped.
 *
 * @param crashes participant id to the rounds in which it fails mid-round
 * @param dropProbability probability that a participant fails a training request, in [0, 1)
 */
public record FailureInjection(Map<String, Set<Integer>> crashes, double dropProbability) {
    /** Validates and freezes the fields. */
    public FailureInjection {
        crashes = Map.copyOf(crashes);
        if (!(dropProbability >= 0 && dropProbability < 1)) {
            throw new IllegalArgumentException(
                    "drop probability must be in [0, 1), got " + dropProbability);
        }
    }

    /** Returns no failures. */
    public static FailureInjection none() {
        return new FailureInjection(Map.of(), 0);
    }

    /** Returns whether the participant fails its training request in this round. */
    public boolean fails(String participantId, int round, long runSeed) {
        if (crashes.getOrDefault(participantId, Set.of()).contains(round)) {
            return true;
        }
        return dropProbability > 0
                && new SplittableRandom(Seeds.derive(runSeed, round, participantId, "dropout"))
                                .nextDouble()
                        < dropProbability;
    }
}
