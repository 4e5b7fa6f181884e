package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import java.util.Map;

/**
 * FedProto (Tan et al. 2022): participants upload per-class feature prototypes, the coordinator
 * averages each class's over the participants holding it, and participants pull their features
 * toward the global prototypes and classify by the nearest one. Only C x D numbers travel each way;
 * architectures may differ as long as their features are equally wide ({@code name@width}).
 */
public final class FedProtoAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = FedProtoSettings.NAME;

    private final FedProtoSettings settings;

    private FedProtoAlgorithm(FedProtoSettings settings) {
        this.settings = settings;
    }

    /** Creates FedProto from its options (see {@link FedProtoSettings#fromOptions}). */
    public static FedProtoAlgorithm fromOptions(Map<String, Object> options) {
        return new FedProtoAlgorithm(FedProtoSettings.fromOptions(options));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        setup.commonFeatureWidth(NAME); // fails naming the widths, suggesting name@width
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        return settings.newStrategy(setup.numClasses(), setup.modelTexts(), setup::featureWidthOf);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PrototypeLearner.create(settings, setup, runSeed);
    }
}
