package io.fedistill.algorithms.dsfl;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.PublicDistillationLearner;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.data.PublicData;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * DS-FL, distillation-based semi-supervised federated learning (Itahara et al. 2020): participants
 * train on private data, upload soft labels on an unlabeled public subset, and distill toward the
 * aggregate, which is a plain mean or ERA, entropy reduction averaging: {@code softmax(mean / T)}
 * with {@code T < 1}.
 */
public final class DsflAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = DsflSettings.NAME;

    /** The messages its participants answer. */
    static final KnowledgeProtocol PROTOCOL = DsflSettings.PROTOCOL;

    private final DsflSettings settings;

    private DsflAlgorithm(DsflSettings settings) {
        this.settings = settings;
    }

    /**
     * Creates DS-FL from its options: {@code subsetSize} (1000), {@code aggregation} ({@code era}
     * or {@code mean}, default era), {@code eraTemperature} (0.1), {@code distillTemperature} (1),
     * {@code distillEpochs} (1), {@code distillLearningRate} (0: the training rate), {@code
     * distillWeight} (1; e.g. {@code {linear: [1, 0.2]}} lowers distillation over the run), {@code
     * weighting} (uniform; {@code examples}, {@code class-counts}, {@code validation-accuracy}),
     * the robust rule's options ({@code robust}, mean by default, and its parameters), {@code
     * trustStepSize} (0: no trust learnt over the rounds) and the secure aggregation options
     * ({@code secure}, off by default).
     */
    public static DsflAlgorithm fromOptions(Map<String, Object> options) {
        return new DsflAlgorithm(DsflSettings.fromOptions(options));
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
        if (settings.rootLabels() == 0) {
            return settings.newStrategy(setup.numClasses(), Optional.empty());
        }
        PublicData publicData = setup.requirePublicData(NAME, settings.subsetSize());
        return settings.newStrategy(
                setup.numClasses(), Optional.of(seed -> rootLabels(publicData, seed)));
    }

    /** Returns the labels of the first root samples of the subset the participants draw by seed. */
    private int[] rootLabels(PublicData publicData, long subsetSeed) {
        int[] subset = publicData.subset(subsetSeed, settings.subsetSize());
        return publicData.pool().labels(Arrays.copyOf(subset, settings.rootLabels()));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PublicDistillationLearner.create(setup, runSeed, NAME, PROTOCOL);
    }
}
