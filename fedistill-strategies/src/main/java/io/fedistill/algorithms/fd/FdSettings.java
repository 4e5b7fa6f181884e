package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.FeatureWidths;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * FD's settings, read from its options.
 *
 * @param alpha the cross-entropy weight (the rest goes to distillation), per round
 * @param temperature the distillation temperature, per round
 * @param featureRounds rounds of the feature-prototype stage before output distillation
 * @param featureWeight the weight of feature alignment in that stage
 * @param weighting how the others' rows of each label are weighed
 * @param robust how the others' rows of each label are combined: the weighted mean by default, or,
 *     label by label and entry by entry, the median or the trimmed mean (which drops {@code
 *     floor(trimFraction * holders)} values at each end, so it trims a label only when enough
 *     participants hold it)
 * @param secure how the per-label sums and counts are summed by secure aggregation, if they are:
 *     the coordinator then sees only the global means, and each participant leaves its own
 *     contribution out of its teacher itself
 */
public record FdSettings(
        Schedule alpha,
        Schedule temperature,
        int featureRounds,
        double featureWeight,
        ParticipantWeighting weighting,
        RobustAggregation robust,
        Optional<SecureSumSettings> secure) {
    /**
     * Refuses weights other than the counts and robust rules with secure aggregation, which sums
     * counts alone and hides each upload.
     */
    public FdSettings {
        AlgorithmOptions.refuseRobustUnderSecure(NAME, robust, secure, "per-label logits");
        AlgorithmOptions.refuseWholeUploadRules(NAME, robust);
        if (secure.isPresent() && weighting != ParticipantWeighting.CLASS_COUNTS) {
            throw new IllegalArgumentException(
                    NAME
                            + ": secure aggregation sums per-label logits weighted by their counts;"
                            + " weighting: "
                            + weighting.configName()
                            + " needs each participant's upload");
        }
    }

    /** The name used in configs. */
    public static final String NAME = "fd";

    /**
     * Reads FD's options: {@code alpha} (cross-entropy weight, default 0.5) and {@code temperature}
     * (default 2), each a number or a schedule such as {@code {linear: [0.5, 1.0]}}, which moves
     * weight from distillation to cross-entropy; {@code featureRounds} (default 0) and {@code
     * featureWeight} (default 1): multi-stage distillation that first aligns per-label feature
     * prototypes for that many rounds, then distills outputs. The feature stage needs every
     * participant's features equally wide (project them with {@code name@width} model specs).
     * {@code weighting} (default {@code class-counts}: the count-weighted per-label mean; {@code
     * uniform}, {@code examples}, {@code validation-accuracy}) weighs the others' rows of each
     * label; {@code robust: median} or {@code trimmed-mean} (with {@code trimFraction}) replace
     * that mean, label by label.
     */
    public static FdSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        Stream.concat(
                                        Stream.of(
                                                FdStrategy.ALPHA,
                                                FdStrategy.TEMPERATURE,
                                                "featureRounds",
                                                "featureWeight",
                                                "weighting"),
                                        Stream.concat(
                                                AlgorithmOptions.ROBUST_OPTIONS.stream(),
                                                AlgorithmOptions.SECURE_OPTIONS.stream()))
                                .toList());
        return new FdSettings(
                read.getSchedule(FdStrategy.ALPHA, 0.5, 0, 1),
                read.getSchedule(FdStrategy.TEMPERATURE, 2.0, 1e-3, 1e3),
                read.getInt("featureRounds", 0, 0, 1_000_000),
                read.getDouble("featureWeight", 1, 0, 1e6),
                read.getWeighting("weighting", ParticipantWeighting.CLASS_COUNTS),
                read.getRobust(),
                // per-label logit sums grow with the examples behind them
                read.getSecure(1 << 20));
    }

    /**
     * Creates FD's coordinator half, asking for the participants' feature width only when there is
     * a feature stage.
     *
     * @param classes the number of labels
     * @param models each participant's model spec text
     * @param widthOf a model's feature width, where whoever asks can tell it
     */
    public Strategy newStrategy(
            int classes, Collection<String> models, Function<String, OptionalInt> widthOf) {
        return new FdStrategy(
                classes,
                this,
                featureRounds > 0
                        ? FeatureWidths.common(
                                NAME + "'s feature stage (featureRounds > 0)", models, widthOf)
                        : 0);
    }
}
