package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.Schedule;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.strategy.Strategy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * FD's settings, read from its options.
 *
 * @param alpha the cross-entropy weight (the rest goes to distillation), per round
 * @param temperature the distillation temperature, per round
 * @param featureRounds rounds of the feature-prototype stage before output distillation
 * @param featureWeight the weight of feature alignment in that stage
 * @param weighting how the others' rows of each label are weighed
 */
public record FdSettings(
        Schedule alpha,
        Schedule temperature,
        int featureRounds,
        double featureWeight,
        ParticipantWeighting weighting) {
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
     * label.
     */
    public static FdSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        List.of(
                                FdStrategy.ALPHA,
                                FdStrategy.TEMPERATURE,
                                "featureRounds",
                                "featureWeight",
                                "weighting"));
        return new FdSettings(
                read.getSchedule(FdStrategy.ALPHA, 0.5, 0, 1),
                read.getSchedule(FdStrategy.TEMPERATURE, 2.0, 1e-3, 1e3),
                read.getInt("featureRounds", 0, 0, 1_000_000),
                read.getDouble("featureWeight", 1, 0, 1e6),
                read.getWeighting("weighting", ParticipantWeighting.CLASS_COUNTS));
    }

    /**
     * Returns the participants' common feature width, or fails naming the widths that differ.
     *
     * @param widths each participant model's feature width, by its spec text
     */
    public static int commonFeatureWidth(Map<String, Integer> widths) {
        if (new HashSet<>(widths.values()).size() > 1) {
            throw new IllegalArgumentException(
                    NAME
                            + "'s feature stage (featureRounds > 0) aligns feature "
                            + "prototypes, so every participant's features must be equally wide; got "
                            + widths
                            + "; give every model a common projection width, e.g. 'mlp@64', 'lenet@64', 'cnn:0.5@64'");
        }
        return widths.values().iterator().next();
    }

    /**
     * Creates FD's coordinator half.
     *
     * @param classes the number of labels
     * @param featureWidth the participants' common feature width (unused without a feature stage)
     */
    public Strategy newStrategy(int classes, int featureWidth) {
        return new FdStrategy(
                classes,
                alpha,
                temperature,
                featureRounds,
                featureWeight,
                featureRounds > 0 ? featureWidth : 0,
                weighting);
    }
}
