package io.fedistill.algorithms.dsfl;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.PublicDistillationLearner;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import java.util.List;
import java.util.Map;

/**
 * DS-FL, distillation-based semi-supervised federated learning (Itahara et al. 2020): participants
 * train on private data, upload soft labels on an unlabeled public subset, and distill toward the
 * aggregate, which is a plain mean or ERA, entropy reduction averaging: {@code softmax(mean / T)}
 * with {@code T < 1}.
 */
public final class DsflAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "dsfl";

    private static final List<String> OPTIONS =
            List.of(
                    "subsetSize",
                    "aggregation",
                    "eraTemperature",
                    "distillTemperature",
                    "distillEpochs",
                    "distillLearningRate",
                    "distillWeight",
                    "weighting");

    /** The messages its participants answer. */
    static final KnowledgeProtocol PROTOCOL = new KnowledgeProtocol(NAME);

    private final DsflSettings settings;

    private DsflAlgorithm(DsflSettings settings) {
        this.settings = settings;
    }

    /**
     * Creates DS-FL from its options: {@code subsetSize} (1000), {@code aggregation} ({@code era}
     * or {@code mean}, default era), {@code eraTemperature} (0.1), {@code distillTemperature} (1),
     * {@code distillEpochs} (1), {@code distillLearningRate} (0: the training rate), {@code
     * distillWeight} (1; e.g. {@code {linear: [1, 0.2]}} lowers distillation over the run), {@code
     * weighting} (uniform; {@code examples}, {@code class-counts}, {@code validation-accuracy}).
     */
    public static DsflAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, OPTIONS);
        String aggregation = read.getString("aggregation", "era", List.of("era", "mean"));
        return new DsflAlgorithm(
                new DsflSettings(
                        read.getInt("subsetSize", 1000, 1, 10_000_000),
                        aggregation.equals("era"),
                        read.getSchedule("eraTemperature", 0.1, 1e-4, 0.9999),
                        read.getSchedule("distillTemperature", 1.0, 1e-3, 1e3),
                        read.getInt("distillEpochs", 1, 1, 1000),
                        read.getDouble("distillLearningRate", 0, 0, 10),
                        read.getSchedule("distillWeight", 1.0, 0, 1e3),
                        read.getWeighting("weighting")));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        setup.requirePublicData(NAME, settings.subsetSize());
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return new DsflStrategy(PROTOCOL, settings, setup.numClasses());
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PublicDistillationLearner.create(setup, runSeed, NAME, PROTOCOL);
    }
}
