package io.fedistill.core.strategy;

import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Optional;

/**
 * The coordinator half of an algorithm: runs one round through the fleet.
 *
 * <p>A round may exchange several messages (scores, then consensus), aggregate and train on the
 * coordinator. The strategy never sees the transport, only {@link Fleet}, so the simulation and a
 * network deployment run the same code.
 */
public interface Strategy {

    /**
     * Runs one round.
     *
     * @param context the round number, selected participants and seed
     * @param fleet the way to reach participants
     * @return coordinator-side metrics of the round (may be empty)
     */
    Metrics runRound(RoundContext context, Fleet fleet);

    /**
     * Returns the coordinator's model after the last round, for algorithms that keep one (FedAvg's
     * global weights); empty for algorithms without a global model.
     */
    default Optional<TensorRecord> globalModel() {
        return Optional.empty();
    }

    /**
     * Returns whether participants evaluate the global model (FedAvg: their model is the global
     * one) rather than their own; false when the coordinator's model has another architecture.
     */
    default boolean participantsRunGlobalModel() {
        return globalModel().isPresent();
    }

    /**
     * Returns what each evaluation request carries to the participants: by default the global model
     * when they run it ({@link #participantsRunGlobalModel}), else nothing, so they score their own
     * model; an algorithm whose participants score with something else the coordinator holds
     * (FedProto's global prototypes, for nearest-prototype inference) returns that.
     */
    default TensorRecord evaluationPayload() {
        return participantsRunGlobalModel()
                ? globalModel().orElse(TensorRecord.empty())
                : TensorRecord.empty();
    }

    /**
     * Returns everything this strategy carries from one round to the next (global weights, the
     * latest uploads, fused models, a student), so that a coordinator restarted from a checkpoint
     * goes on exactly where this one was; empty for strategies that carry nothing.
     */
    default TensorRecord snapshot() {
        return TensorRecord.empty();
    }

    /**
     * Puts this strategy, freshly created for the same federation, into the state {@link
     * #snapshot()} returned.
     *
     * @throws IllegalArgumentException when the snapshot does not fit this strategy
     */
    default void restore(TensorRecord snapshot) {
        if (!snapshot.isEmpty()) {
            throw new IllegalArgumentException(
                    "this strategy keeps nothing between rounds, but the checkpoint holds "
                            + snapshot.names());
        }
    }
}
