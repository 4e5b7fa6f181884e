package io.fedistill.algorithms.fedmd;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.PublicDistillationLearner;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import java.util.List;
import java.util.Map;

/**
 * FedMD (Li & Wang 2019): a transfer phase (each participant learns the labeled public set, then
 * its private data), then every round: class scores on a public subset, their mean as the
 * consensus, and each participant digests the consensus on that subset and revisits its private
 * data. Digesting minimizes {@code T^2 * KL(softmax(consensus / T) ‖ softmax(s / T))}.
 */
public final class FedMdAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "fedmd";

    private static final List<String> OPTIONS =
            List.of("subsetSize", "transferEpochs", "temperature", "digestEpochs", "weighting");

    private static final KnowledgeProtocol PROTOCOL = new KnowledgeProtocol(NAME);

    private final int subsetSize;
    private final int transferEpochs;
    private final double temperature;
    private final int digestEpochs;
    private final ParticipantWeighting weighting;

    private FedMdAlgorithm(
            int subsetSize,
            int transferEpochs,
            double temperature,
            int digestEpochs,
            ParticipantWeighting weighting) {
        this.subsetSize = subsetSize;
        this.transferEpochs = transferEpochs;
        this.temperature = temperature;
        this.digestEpochs = digestEpochs;
        this.weighting = weighting;
    }

    /**
     * Creates FedMD from its options: {@code subsetSize} (1000), {@code transferEpochs} (1), {@code
     * temperature} (1), {@code digestEpochs} (1), {@code weighting} (uniform).
     */
    public static FedMdAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, OPTIONS);
        return new FedMdAlgorithm(
                read.getInt("subsetSize", 1000, 1, 10_000_000),
                read.getInt("transferEpochs", 1, 0, 1000),
                read.getDouble("temperature", 1.0, 1e-3, 1e3),
                read.getInt("digestEpochs", 1, 1, 1000),
                read.getWeighting("weighting"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        if (transferEpochs > 0 && !setup.requirePublicData(NAME).labeled()) {
            throw new IllegalArgumentException(
                    NAME
                            + "'s transfer phase needs labeled public data: set "
                            + "publicData.labeled: true, or transferEpochs: 0");
        }
        setup.requirePublicData(NAME, subsetSize);
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return new FedMdStrategy(
                PROTOCOL,
                subsetSize,
                transferEpochs,
                temperature,
                digestEpochs,
                weighting,
                setup.numClasses());
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PublicDistillationLearner.create(setup, runSeed, NAME, PROTOCOL);
    }
}
