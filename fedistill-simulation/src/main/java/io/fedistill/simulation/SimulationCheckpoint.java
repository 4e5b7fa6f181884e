package io.fedistill.simulation;

import io.fedistill.core.tensor.TensorRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a simulation needs to go on after a round: how many rounds are done, the strategy's
 * snapshot and every participant's committed state (encoded, as the state store keeps it).
 *
 * @param completedRounds rounds finished, evaluation included
 * @param strategy the strategy's snapshot after the last of them
 * @param participantStates the state store's committed entries, {@code participant/key} to bytes
 */
public record SimulationCheckpoint(
        int completedRounds, TensorRecord strategy, Map<String, byte[]> participantStates) {
    /** Freezes the map, keeping its order. */
    public SimulationCheckpoint {
        if (completedRounds < 1) {
            throw new IllegalArgumentException(
                    "a checkpoint follows a completed round, got " + completedRounds);
        }
        participantStates =
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(participantStates));
    }
}
