package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.common.FeatureWidths;
import io.fedistill.algorithms.common.RowClipping;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustRule;
import io.fedistill.core.strategy.Strategy;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The settings FedProto's two halves share, and FedTGP's participants too.
 *
 * @param algorithm the algorithm's config name, which names its message types ({@code fedproto},
 *     {@code fedtgp})
 * @param prototypeWeight lambda: the weight of the squared distance between a sample's features and
 *     its class's global prototype (mean over feature dimensions, as PyTorch's MSELoss) beside
 *     cross-entropy
 * @param weighting how the uploads holding a class are weighed in its mean (FedProto's aggregation)
 * @param robust how the uploads holding a class are combined: the mean by default, or, class by
 *     class and entry by entry, the median or the trimmed mean of the holders' rows (FedProto's
 *     prototypes and the logit teacher; FedTGP trains on each class's robust centre instead of on
 *     every upload)
 * @param clipRows how each upload's row of a class is first clipped against the class's other
 *     holders' rows ({@link RowClipping}: to the median norm, or to the median distance from their
 *     median), so that one upload blown up or pointing anywhere weighs no more than an honest one,
 *     in the mean, the robust rule and FedTGP's training alike
 * @param inference how participants classify once there are global prototypes
 * @param logitAlpha the cross-entropy weight beside FD's per-label logit distillation: below 1,
 *     participants also upload per-label mean logits and distill, label by label, toward the
 *     count-weighted mean of everybody else's with weight {@code 1 - logitAlpha}; 1 (the default)
 *     exchanges prototypes alone
 * @param logitTemperature the temperature of that distillation
 */
public record FedProtoSettings(
        String algorithm,
        double prototypeWeight,
        ParticipantWeighting weighting,
        RobustAggregation robust,
        RowClipping clipRows,
        Inference inference,
        double logitAlpha,
        double logitTemperature) {

    /**
     * Checks the logit distillation's weight and temperature, and refuses rules that cannot combine
     * a class's few holders or would ignore the weighting.
     */
    public FedProtoSettings {
        Objects.requireNonNull(inference, "inference");
        AlgorithmOptions.refuseWholeUploadRules(algorithm, robust);
        if (robust.rule() != RobustRule.MEAN && weighting != ParticipantWeighting.UNIFORM) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": robust: "
                            + robust.rule().configName()
                            + " gives every holder of a class an equal say, which weighting: "
                            + weighting.configName()
                            + " would change; drop one of them");
        }
        if (!(logitAlpha >= 0 && logitAlpha <= 1)) {
            throw new IllegalArgumentException(
                    algorithm + ": alpha must be in [0, 1], got " + logitAlpha);
        }
        if (!(logitTemperature > 0) || !Double.isFinite(logitTemperature)) {
            throw new IllegalArgumentException(
                    algorithm + ": temperature must be > 0, got " + logitTemperature);
        }
    }

    /** The option that clips each holder's row of a class before they are combined. */
    public static final String CLIP_ROWS = "clipRows";

    /** FedProto's config name. */
    public static final String NAME = "fedproto";

    /** The options FedProto reads, which FedTGP's participants read too. */
    public static final List<String> OPTIONS =
            Stream.concat(
                            Stream.of("lambda", "weighting", "inference", CLIP_ROWS),
                            AlgorithmOptions.ROBUST_OPTIONS.stream())
                    .toList();

    /** How a participant classifies once there are global prototypes (option {@code inference}). */
    public enum Inference {
        /** By the nearest global prototype: FedProto's and HtFLlib's inference. */
        PROTOTYPES,
        /** By the model's own head, the prototypes only shaping its features in training. */
        HEAD,
        /**
         * By the product of the head's class probabilities and the nearest-prototype ones (the
         * softmax of the negative distances): the head carries the participant's own label prior,
         * the prototypes what the federation agrees a class looks like.
         */
        COMBINED;

        /** The option's value that selects this inference: its name in lower case. */
        public String optionValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Returns whether evaluation needs the global prototypes. */
        public boolean usesPrototypes() {
            return this != HEAD;
        }

        static List<String> optionValues() {
            return Arrays.stream(values()).map(Inference::optionValue).toList();
        }
    }

    /**
     * Reads FedProto's options: {@code lambda} (default 1, the prototype distance's weight), {@code
     * weighting} ({@code uniform}, the default: each class's prototype is the plain mean of its
     * holders' uploads; or {@code class-counts}) and {@code inference} ({@code prototypes}, the
     * default: classify by the nearest global prototype; {@code head}; or {@code combined}, the
     * product of both), and {@code robust} ({@code mean}, the default; {@code median} or {@code
     * trimmed-mean} with {@code trimFraction}: each class from its holders' rows, entry by entry),
     * and {@code clipRows} ({@code none}, the default; {@code norm}: each holder's row of a class
     * no longer than the median of their norms; {@code centred}: no farther from the holders'
     * median row than the median distance).
     */
    public static FedProtoSettings fromOptions(Map<String, Object> options) {
        return read(NAME, new AlgorithmOptions(NAME, options, OPTIONS), 1.0);
    }

    /**
     * Reads the participants' options of a prototype algorithm from options that allow {@link
     * #OPTIONS} (and maybe more).
     *
     * @param algorithm the algorithm's config name
     * @param read its options
     * @param defaultWeight its default lambda
     */
    public static FedProtoSettings read(
            String algorithm, AlgorithmOptions read, double defaultWeight) {
        ParticipantWeighting weighting =
                read.getWeighting("weighting", ParticipantWeighting.UNIFORM);
        if (weighting != ParticipantWeighting.UNIFORM
                && weighting != ParticipantWeighting.CLASS_COUNTS) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": weighting must be uniform or class-counts (prototypes are combined"
                            + " class by class)");
        }
        return new FedProtoSettings(
                algorithm,
                read.getDouble("lambda", defaultWeight, 0, 1e6),
                weighting,
                read.getRobust(),
                RowClipping.fromConfigName(
                        read.getString(
                                CLIP_ROWS,
                                RowClipping.NONE.configName(),
                                RowClipping.configNames())),
                Inference.valueOf(
                        read.getString(
                                        "inference",
                                        Inference.PROTOTYPES.optionValue(),
                                        Inference.optionValues())
                                .toUpperCase(Locale.ROOT)),
                1,
                2);
    }

    /**
     * Returns these settings with FD's per-label logit distillation beside the prototypes.
     *
     * @param alpha the cross-entropy weight, in [0, 1]; 1 turns the distillation off
     * @param temperature the distillation temperature, > 0
     */
    public FedProtoSettings withLogitDistillation(double alpha, double temperature) {
        return new FedProtoSettings(
                algorithm,
                prototypeWeight,
                weighting,
                robust,
                clipRows,
                inference,
                alpha,
                temperature);
    }

    /** Returns whether participants also exchange per-label logits and distill toward them. */
    public boolean distillsLogits() {
        return logitAlpha < 1;
    }

    /**
     * Returns the participants' common feature width, failing with a suggestion of {@code @width}
     * when their models' features differ in width.
     */
    public int featureWidth(Collection<String> models, Function<String, OptionalInt> widthOf) {
        return FeatureWidths.common(algorithm, models, widthOf);
    }

    /**
     * Creates FedProto's coordinator half: global prototypes as per-class means, or per-class
     * robust combinations.
     */
    public Strategy newStrategy(
            int classes, Collection<String> models, Function<String, OptionalInt> widthOf) {
        int width = featureWidth(models, widthOf);
        return newStrategy(
                classes, width, PrototypeAggregator.perClass(weighting, robust, classes, width));
    }

    /** Creates the coordinator half with another aggregation (FedTGP's). */
    public Strategy newStrategy(int classes, int width, PrototypeAggregator aggregator) {
        return new PrototypeStrategy(classes, width, this, aggregator);
    }
}
