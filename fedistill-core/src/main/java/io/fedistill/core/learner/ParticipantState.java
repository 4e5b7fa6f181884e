package io.fedistill.core.learner;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Optional;

/**
 * What one participant keeps between rounds (private weights, running per-label logits), stored by
 * the runtime so an idle participant costs its serialized state, not a live model.
 */
public interface ParticipantState {

    /** Returns the record saved under {@code key}, if any. */
    Optional<TensorRecord> load(String key);

    /** Saves {@code record} under {@code key}, replacing what was there. */
    void save(String key, TensorRecord record);
}
