package io.fedistill.core.coordinator;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Picks the participants of a round: a seeded random fraction of the fleet, at least a minimum.
 *
 * @param fraction share of participants per round, in (0, 1]
 * @param minimum lowest number selected, at least 1 (capped at the fleet size)
 */
public record ParticipantSelector(double fraction, int minimum) {
    /** Validates the fields. */
    public ParticipantSelector {
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
     * Selects participants for a round.
     *
     * @param participants the fleet, in stable order
     * @param round the round
     * @param runSeed the run seed
     * @return the selected ids, in fleet order
     */
    public List<String> select(List<String> participants, int round, long runSeed) {
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
