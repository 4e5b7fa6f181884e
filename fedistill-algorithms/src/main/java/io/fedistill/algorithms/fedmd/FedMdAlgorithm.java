package io.fedistill.algorithms.fedmd;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.PublicDistillationLearner;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import java.util.Map;
import java.util.Optional;

/**
 * FedMD (Li & Wang 2019): a transfer phase (each participant learns the labeled public set, then
 * its private data), then every round: class scores on a public subset, their mean as the
 * consensus, and each participant digests the consensus on that subset and revisits its private
 * data. Digesting minimizes {@code T^2 * KL(softmax(consensus / T) ‖ softmax(s / T))}.
 */
public final class FedMdAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = FedMdSettings.NAME;

    private final FedMdSettings settings;

    private FedMdAlgorithm(FedMdSettings settings) {
        this.settings = settings;
    }

    /**
     * Creates FedMD from its options: {@code subsetSize} (1000), {@code transferEpochs} (1), {@code
     * temperature} (1), {@code digestEpochs} (1), {@code weighting} (uniform), the robust rule's
     * options ({@code robust}, mean by default, and its parameters), {@code trustStepSize} (0: no
     * trust learnt over the rounds) and the secure aggregation options ({@code secure}, off by
     * default).
     */
    public static FedMdAlgorithm fromOptions(Map<String, Object> options) {
        return new FedMdAlgorithm(FedMdSettings.fromOptions(options));
    }

    @Override
    public Optional<SecureSumSettings> secureSums() {
        return settings.secure();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        settings.validate(setup.publicDataFacts());
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return settings.newStrategy(setup.numClasses());
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PublicDistillationLearner.create(setup, runSeed, NAME, FedMdSettings.PROTOCOL);
    }
}
