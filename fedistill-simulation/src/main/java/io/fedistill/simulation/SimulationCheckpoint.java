package io.fedistill.simulation;

import io.fedistill.core.tensor.TensorRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a simulation needs to go on after a round: how many rounds are done, the strategy's
 * snapshot and the participants' committed state (encoded, as the state store keeps it). A
 * checkpoint handed out after a round holds the state that changed since the previous one (all of
 * it after the first round), so a store can write it incrementally; a checkpoint to resume from
 * holds all of it.
 *
 * @param completedRounds rounds finished, evaluation included
 * @param strategy the coordinator's snapshot after the last of them: the strategy's, with the
 *     fleet's feedback on tasks when it keeps any
 * @param participantStates committed entries, {@code participant/key} to bytes
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
