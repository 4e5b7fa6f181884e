package io.fedistill.core.coordinator;

import io.fedistill.core.seed.Seeds;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Picks the participants of a round: a seeded random fraction of the fleet, at least a minimum; or,
 * for differential privacy, Poisson sampling, which takes each participant independently with
 * probability {@code fraction}, drawn from secret randomness, as the privacy accountant's analysis
 * of the subsampled Gaussian mechanism assumes (a round may then select nobody).
 *
 * @param fraction share of participants per round, in (0, 1]; with Poisson sampling, each
 *     participant's probability of being selected
 * @param minimum lowest number selected, at least 1 (capped at the fleet size); 1 with Poisson
 *     sampling, which cannot honour a larger minimum
 * @param poisson whether to sample each participant independently and secretly
 */
public record ParticipantSelector(double fraction, int minimum, boolean poisson) {
    /** Secret randomness for Poisson sampling: whoever knows the run seed cannot tell the draw. */
    private static final SecureRandom SECRET = new SecureRandom();

    /** A selector of a seeded fixed-size fraction, at least {@code minimum}. */
    public ParticipantSelector(double fraction, int minimum) {
        this(fraction, minimum, false);
    }

    /** Validates the fields. */
    public ParticipantSelector {
        if (poisson && minimum != 1) {
            throw new IllegalArgumentException(
                    "minParticipants must be 1 under Poisson sampling (differential privacy): a"
                            + " larger minimum would add participants beyond the draw the privacy"
                            + " analysis assumes, got "
                            + minimum);
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        }
        if (minimum < 1) {
            throw new IllegalArgumentException("minimum must be >= 1, got " + minimum);
        }
    }

    /** Returns the selector that takes every participant every round. */
    public static ParticipantSelector all() {
        return new ParticipantSelector(1.0, 1);
    }

    /**
     * Returns this selector sampling each participant independently with probability {@link
     * #fraction} from secret randomness, as differential privacy's accountant assumes.
     *
     * @throws IllegalArgumentException when the minimum is larger than 1
     */
    public ParticipantSelector withPoissonSampling() {
        return new ParticipantSelector(fraction, minimum, true);
    }

    /**
     * Selects participants for a round.
     *
     * @param participants the fleet, in stable order
     * @param round the round
     * @param runSeed the run seed
     * @return the selected ids, in fleet order
     */
    public List<String> select(List<String> participants, int round, long runSeed) {
        if (poisson) {
            return fraction == 1
                    ? List.copyOf(participants)
                    : participants.stream().filter(id -> SECRET.nextDouble() < fraction).toList();
        }
        int count = (int) Math.ceil(fraction * participants.size() - 1e-9);
        count = Math.min(participants.size(), Math.max(minimum, count));
        if (count == participants.size()) {
            return List.copyOf(participants);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < participants.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Seeds.derive(runSeed, round, "", "selection")));
        List<Integer> chosen = new ArrayList<>(order.subList(0, count));
        Collections.sort(chosen);
        List<String> selected = new ArrayList<>();
        for (int index : chosen) {
            selected.add(participants.get(index));
        }
        return List.copyOf(selected);
    }
}
