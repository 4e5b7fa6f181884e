package io.fedistill.algorithms;

import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;

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

    /** Creates the coordinator half. */
    Strategy newStrategy(FederationSetup setup);

    /** Creates the participant half for one participant. */
    Learner newLearner(ParticipantSetup setup, long runSeed);
}
