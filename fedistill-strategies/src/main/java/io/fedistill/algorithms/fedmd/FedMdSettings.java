package io.fedistill.algorithms.fedmd;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.PublicDataFacts;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * FedMD's settings, read from its options.
 *
 * @param subsetSize public samples per round
 * @param transferEpochs epochs of supervised training on the labeled public data before round 1
 * @param temperature the temperature of the digest
 * @param digestEpochs passes over the round's subset when digesting the consensus
 * @param weighting how participants' logits are weighed
 * @param robust how their logits are combined into the consensus
 * @param priorCheck whether a participant whose logits predict least the labels it reports holding
 *     most loses its vote ({@link io.fedistill.core.aggregate.LabelPriorCheck})
 * @param trustStepSize the step of the trust each participant earns over the rounds ({@link
 *     io.fedistill.core.aggregate.ExponentialTrust}), 0 for none; distances between logits are
 *     usually larger than between DS-FL's soft labels, so a smaller step suits it (docs/RESULTS.md
 *     measures 0.5)
 * @param secure how their weighted logits are summed by secure aggregation, if they are: the
 *     coordinator then sees only the consensus
 */
public record FedMdSettings(
        int subsetSize,
        int transferEpochs,
        double temperature,
        int digestEpochs,
        ParticipantWeighting weighting,
        RobustAggregation robust,
        boolean priorCheck,
        double trustStepSize,
        Optional<SecureSumSettings> secure) {
    /**
     * Refuses a robust rule, the prior check or trust together with secure aggregation, which hides
     * what they read, the last two with a rule that ignores weights, and a trust step size that is
     * negative or not finite.
     */
    public FedMdSettings {
        AlgorithmOptions.refuseRobustUnderSecure(NAME, robust, secure, "class scores");
        AlgorithmOptions.refuseUnusableTrust(NAME, trustStepSize, robust, secure, "class scores");
        if (priorCheck) {
            AlgorithmOptions.refuseUnusableReweighing(
                    NAME, AlgorithmOptions.PRIOR_CHECK, robust, secure, "class scores");
        }
    }

    /** The name used in configs. */
    public static final String NAME = "fedmd";

    /** The messages FedMD's halves exchange. */
    public static final KnowledgeProtocol PROTOCOL = new KnowledgeProtocol(NAME);

    /** Reads FedMD's options. */
    public static FedMdSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        Stream.concat(
                                        Stream.of(
                                                "subsetSize",
                                                "transferEpochs",
                                                "temperature",
                                                "digestEpochs",
                                                "weighting",
                                                AlgorithmOptions.PRIOR_CHECK,
                                                AlgorithmOptions.TRUST_STEP_SIZE),
                                        Stream.concat(
                                                AlgorithmOptions.ROBUST_OPTIONS.stream(),
                                                AlgorithmOptions.SECURE_OPTIONS.stream()))
                                .toList());
        return new FedMdSettings(
                read.getInt("subsetSize", 1000, 1, 10_000_000),
                read.getInt("transferEpochs", 1, 0, 1000),
                read.getDouble("temperature", 1.0, 1e-3, 1e3),
                read.getInt("digestEpochs", 1, 1, 1000),
                read.getWeighting("weighting"),
                read.getRobust(),
                read.getBoolean(AlgorithmOptions.PRIOR_CHECK, false),
                read.getTrustStepSize(),
                read.getSecure());
    }

    /**
     * Checks that the public data can feed FedMD: labeled when there is a transfer phase, and large
     * enough for a subset.
     */
    public void validate(Optional<PublicDataFacts> publicData) {
        if (transferEpochs > 0 && !PublicDataFacts.require(NAME, publicData, 0).labeled()) {
            throw new IllegalArgumentException(
                    NAME
                            + "'s transfer phase needs labeled public data: set "
                            + "publicData.labeled: true, or transferEpochs: 0");
        }
        PublicDataFacts.require(NAME, publicData, subsetSize);
    }

    /** Creates FedMD's coordinator half for {@code classes} labels. */
    public Strategy newStrategy(int classes) {
        return new FedMdStrategy(PROTOCOL, this, classes);
    }
}
