package io.fedistill.algorithms.dsfl;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.PublicDataFacts;
import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * DS-FL's settings.
 *
 * @param subsetSize public samples per round
 * @param era whether to sharpen the mean (ERA) or use it plainly
 * @param eraTemperature ERA's temperature, in (0, 1)
 * @param distillTemperature the students' temperature when distilling
 * @param distillEpochs passes over the subset per round
 * @param distillLearningRate participants' learning rate while distilling (0: their training rate)
 * @param distillWeight factor on the distillation loss per round
 * @param weighting how participants' soft labels are weighted
 * @param robust how their soft labels are combined before ERA sharpens them
 * @param priorCheck whether a participant whose soft labels predict least the labels it reports
 *     holding most loses its vote ({@link io.fedistill.core.aggregate.LabelPriorCheck})
 * @param rootLabels how many of each round's public samples the coordinator knows the labels of and
 *     checks each participant's soft labels against ({@link
 *     io.fedistill.core.aggregate.RootReliability}), 0 for none; needs labeled public data
 * @param trustStepSize the step of the trust each participant earns over the rounds ({@link
 *     io.fedistill.core.aggregate.ExponentialTrust}), 0 for none
 * @param secure how their weighted soft labels are summed by secure aggregation, if they are: the
 *     coordinator then sees only the mean
 */
public record DsflSettings(
        int subsetSize,
        boolean era,
        Schedule eraTemperature,
        Schedule distillTemperature,
        int distillEpochs,
        double distillLearningRate,
        Schedule distillWeight,
        ParticipantWeighting weighting,
        RobustAggregation robust,
        boolean priorCheck,
        int rootLabels,
        double trustStepSize,
        Optional<SecureSumSettings> secure) {
    /**
     * Refuses a robust rule, trust, the prior check or root labels together with secure
     * aggregation, which hides what they read, the last three with a rule that ignores weights, a
     * trust step size that is negative or not finite, and more root labels than samples.
     */
    public DsflSettings {
        AlgorithmOptions.refuseRobustUnderSecure(NAME, robust, secure, "soft labels");
        AlgorithmOptions.refuseUnusableTrust(NAME, trustStepSize, robust, secure, "soft labels");
        if (priorCheck) {
            AlgorithmOptions.refuseUnusableReweighing(
                    NAME, AlgorithmOptions.PRIOR_CHECK, robust, secure, "soft labels");
        }
        if (rootLabels < 0 || rootLabels > subsetSize) {
            throw new IllegalArgumentException(
                    NAME
                            + ": rootLabels must be in [0, subsetSize "
                            + subsetSize
                            + "], got "
                            + rootLabels);
        }
        if (rootLabels > 0) {
            AlgorithmOptions.refuseUnusableReweighing(
                    NAME, "rootLabels", robust, secure, "soft labels");
        }
    }

    /** The name used in configs. */
    public static final String NAME = "dsfl";

    /** The messages DS-FL's halves exchange. */
    public static final KnowledgeProtocol PROTOCOL = new KnowledgeProtocol(NAME);

    /** The options DS-FL reads. */
    private static final List<String> OPTIONS =
            Stream.concat(
                            Stream.of(
                                    "subsetSize",
                                    "aggregation",
                                    "eraTemperature",
                                    "distillTemperature",
                                    "distillEpochs",
                                    "distillLearningRate",
                                    "distillWeight",
                                    "weighting",
                                    AlgorithmOptions.TRUST_STEP_SIZE,
                                    AlgorithmOptions.PRIOR_CHECK,
                                    "rootLabels"),
                            Stream.concat(
                                    AlgorithmOptions.ROBUST_OPTIONS.stream(),
                                    AlgorithmOptions.SECURE_OPTIONS.stream()))
                    .toList();

    /** Reads DS-FL's options. */
    public static DsflSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, OPTIONS);
        String aggregation = read.getString("aggregation", "era", List.of("era", "mean"));
        return new DsflSettings(
                read.getInt("subsetSize", 1000, 1, 10_000_000),
                aggregation.equals("era"),
                read.getSchedule("eraTemperature", 0.1, 1e-4, 0.9999),
                read.getSchedule("distillTemperature", 1.0, 1e-3, 1e3),
                read.getInt("distillEpochs", 1, 1, 1000),
                read.getDouble("distillLearningRate", 0, 0, 10),
                read.getSchedule("distillWeight", 1.0, 0, 1e3),
                read.getWeighting("weighting"),
                read.getRobust(),
                read.getBoolean(AlgorithmOptions.PRIOR_CHECK, false),
                read.getInt("rootLabels", 0, 0, 10_000_000),
                read.getTrustStepSize(),
                read.getSecure());
    }

    /**
     * Checks that the public data can supply a subset each round, and is labeled when the
     * coordinator checks uploads against root labels.
     */
    public void validate(Optional<PublicDataFacts> publicData) {
        PublicDataFacts facts = PublicDataFacts.require(NAME, publicData, subsetSize);
        if (rootLabels > 0 && !facts.labeled()) {
            throw new IllegalArgumentException(
                    NAME
                            + ": rootLabels needs the coordinator to know public labels: set"
                            + " publicData.labeled: true, or rootLabels: 0");
        }
    }

    /**
     * Creates DS-FL's coordinator half for {@code classes} labels; {@code rootLabels} gives, for a
     * round's subset seed, the labels of the subset's first {@link #rootLabels()} samples (needed
     * when that is above 0).
     */
    public Strategy newStrategy(int classes, Optional<LongFunction<int[]>> rootLabels) {
        if (this.rootLabels > 0 && rootLabels.isEmpty()) {
            throw new IllegalArgumentException(
                    NAME
                            + ": rootLabels needs a coordinator that holds the public data's"
                            + " labels; this one holds no data");
        }
        return new DsflStrategy(
                PROTOCOL, this, classes, this.rootLabels > 0 ? rootLabels : Optional.empty());
    }
}
