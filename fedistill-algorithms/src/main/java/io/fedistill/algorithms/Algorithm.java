package io.fedistill.algorithms;

import io.fedistill.core.learner.Learner;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import java.util.Optional;

/**
 * A federated algorithm: its coordinator half and its participant half, created from the
 * federation's setup. Instances carry the algorithm's validated options.
 */
public interface Algorithm {

    /** Returns the name used in configs. */
    String name();

    /**
     * Checks that the algorithm can run on this federation (FedAvg needs one architecture).
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    default void validate(FederationSetup setup) {}

    /**
     * Returns the architecture of the model the coordinator keeps, for algorithms that keep one
     * (FedAvg's global model, a global student), so the run can score it on the test set.
     */
    default Optional<ModelSpec> coordinatorModel(FederationSetup setup) {
        return Optional.empty();
    }

    /**
     * Returns how the coordinator sums uploads by secure aggregation, or empty when it does not; a
     * runtime gives participants signing identities when the sums are signed.
     */
    default Optional<SecureSumSettings> secureSums() {
        return Optional.empty();
    }

    /** Creates the coordinator half. */
    Strategy newStrategy(FederationSetup setup);

    /** Creates the participant half for one participant. */
    Learner newLearner(ParticipantSetup setup, long runSeed);
}
