package io.fedistill.core.store;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run store holds to resume an algorithm after a round: the round, the strategy's snapshot
 * and the participants' committed state (empty where participants keep their own, in a deployment).
 *
 * @param round the last completed round
 * @param strategy the coordinator's snapshot after it: the strategy's, with the fleet's feedback on
 *     tasks when it keeps any
 * @param participantStates committed participant state, {@code participant/key} to encoded bytes
 */
public record RoundCheckpoint(
        int round, TensorRecord strategy, Map<String, byte[]> participantStates) {
    /** Freezes the map, keeping its order. */
    public RoundCheckpoint {
        participantStates = Collections.unmodifiableMap(new LinkedHashMap<>(participantStates));
    }
}
