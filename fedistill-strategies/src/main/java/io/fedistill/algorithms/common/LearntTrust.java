package io.fedistill.algorithms.common;

import io.fedistill.core.aggregate.ExponentialTrust;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Optional;

/**
 * The trust a public-data distillation coordinator (DS-FL, FedMD) learns in its participants over
 * the rounds, when its {@code trustStepSize} asks for it, and the place that trust takes in the
 * coordinator's checkpoints: the whole of the strategy's snapshot, under a section of its own.
 */
public final class LearntTrust {
    /** The checkpoint's section holding each participant's log trust. */
    private static final String SECTION = "trust";

    private final Optional<ExponentialTrust> trust;

    /** Creates the trust for a step size, or none for 0. */
    public LearntTrust(double stepSize) {
        this.trust = stepSize > 0 ? Optional.of(new ExponentialTrust(stepSize)) : Optional.empty();
    }

    /** Returns the trust, or empty when none is learnt. */
    public Optional<ExponentialTrust> trust() {
        return trust;
    }

    /** Returns the trust as a checkpoint holds it: empty when none is learnt. */
    public TensorRecord snapshot() {
        return trust.map(t -> TensorRecord.builder().putSection(SECTION, t.snapshot()).build())
                .orElse(TensorRecord.empty());
    }

    /**
     * Restores the trust a {@link #snapshot} holds.
     *
     * @throws IllegalArgumentException when the snapshot holds something else, or holds trust where
     *     none is learnt
     */
    public void restore(TensorRecord snapshot) {
        TensorRecord held = snapshot.section(SECTION);
        if (held.size() != snapshot.size()) {
            throw new IllegalArgumentException(
                    "a checkpoint of learnt trust holds only its '"
                            + SECTION
                            + "' section, got "
                            + snapshot.names());
        }
        if (trust.isPresent()) {
            trust.get().restore(held);
        } else if (!snapshot.isEmpty()) {
            throw new IllegalArgumentException(
                    "the checkpoint holds trust in "
                            + held.names()
                            + ", but this run learns none (trustStepSize 0)");
        }
    }
}
