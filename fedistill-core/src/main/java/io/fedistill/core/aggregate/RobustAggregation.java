package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a strategy combines participants' model weights or knowledge, chosen by name in a config: a
 * strategy holds one of these and calls {@link #aggregateWeights} or {@link #aggregateKnowledge}.
 *
 * <p>Knowledge is aggregated entry by entry (per sample and class) under the same rules as weights;
 * ERA's sharpening ({@link SoftLabels#softmax}) applies to the result as it does to a mean.
 *
 * @param rule which rule combines the updates
 * @param trimFraction for {@link RobustRule#TRIMMED_MEAN}, the fraction dropped from each end of
 *     every coordinate, in [0, 0.5)
 * @param assumedByzantine for {@link RobustRule#KRUM} and {@link RobustRule#MULTI_KRUM}, f, the
 *     number of updates assumed Byzantine, at least 0
 * @param multiKrumSelect for {@link RobustRule#MULTI_KRUM}, m, how many updates to average; 0
 *     selects {@code n - f} of the {@code n} updates each round
 */
public record RobustAggregation(
        RobustRule rule, double trimFraction, int assumedByzantine, int multiKrumSelect) {
    private static final Logger LOG = LoggerFactory.getLogger(RobustAggregation.class);

    /** Name of the single tensor a score matrix is carried in through the record-based rules. */
    private static final String SCORES = "scores";

    /** Checks every field's range, naming the field and the bad value. */
    public RobustAggregation {
        if (rule == null) {
            throw new IllegalArgumentException(
                    "rule must be one of "
                            + Arrays.stream(RobustRule.values())
                                    .map(RobustRule::configName)
                                    .toList()
                            + ", got null");
        }
        CoordinateWise.requireTrimFraction(trimFraction);
        if (assumedByzantine < 0) {
            throw new IllegalArgumentException(
                    "assumedByzantine must be >= 0, got " + assumedByzantine);
        }
        if (multiKrumSelect < 0) {
            throw new IllegalArgumentException(
                    "multiKrumSelect must be >= 0 (0 selects n - f), got " + multiKrumSelect);
        }
    }

    /** Returns whether the rule may leave participants out (Krum, multi-Krum). */
    public boolean excludes() {
        return rule == RobustRule.KRUM || rule == RobustRule.MULTI_KRUM;
    }

    /** Returns the weighted mean, FedAvg's rule. */
    public static RobustAggregation mean() {
        return new RobustAggregation(RobustRule.MEAN, 0, 0, 0);
    }

    /** Returns the coordinate-wise median. */
    public static RobustAggregation median() {
        return new RobustAggregation(RobustRule.MEDIAN, 0, 0, 0);
    }

    /** Returns the coordinate-wise mean after dropping {@code trimFraction} from each end. */
    public static RobustAggregation trimmedMean(double trimFraction) {
        return new RobustAggregation(RobustRule.TRIMMED_MEAN, trimFraction, 0, 0);
    }

    /** Returns Krum for {@code assumedByzantine} Byzantine updates. */
    public static RobustAggregation krum(int assumedByzantine) {
        return new RobustAggregation(RobustRule.KRUM, 0, assumedByzantine, 0);
    }

    /**
     * Returns multi-Krum for {@code assumedByzantine} Byzantine updates, averaging {@code select}
     * of them, or {@code n - f} when {@code select} is 0.
     */
    public static RobustAggregation multiKrum(int assumedByzantine, int select) {
        return new RobustAggregation(RobustRule.MULTI_KRUM, 0, assumedByzantine, select);
    }

    /**
     * Combines participants' model weights under this rule.
     *
     * @param updates one record per participant, with the same names, shapes and roles
     * @param exampleWeights one non-negative weight per participant, read only by {@link
     *     RobustRule#MEAN}
     * @return the aggregate, with the updates' roles, and which participants entered it
     * @throws IllegalArgumentException when the updates differ in layout or do not fit the rule
     */
    public RobustResult<TensorRecord> aggregateWeights(
            List<TensorRecord> updates, double[] exampleWeights) {
        CoordinateWise.requireCommonLayout(updates);
        RobustResult<TensorRecord> result =
                aggregate(updates, () -> WeightedMean.of(updates, exampleWeights));
        if (rule != RobustRule.MULTI_KRUM || updates.size() <= 2 * assumedByzantine + 2) {
            return result;
        }
        // multi-Krum chooses who enters; the entrants are averaged as the exchange averages
        // everyone, by examples unless the weights are uniform (as Flower's MultiKrum does)
        double[] chosenWeights =
                result.selected().stream().mapToDouble(i -> exampleWeights[i]).toArray();
        if (Arrays.stream(chosenWeights).sum() <= 0) {
            return result;
        }
        return new RobustResult<>(
                WeightedMean.of(
                        result.selected().stream().map(updates::get).toList(), chosenWeights),
                result.participants(),
                result.selected());
    }

    /**
     * Combines participants' knowledge, n x C score matrices (logits or probabilities), under this
     * rule, entry by entry.
     *
     * @param scores one n x C matrix per participant, all of the same size
     * @param classWeights participant x class weights, each column summing to 1 (see {@link
     *     ParticipantWeighting#weights}), read by {@link RobustRule#MEAN} and {@link
     *     RobustRule#MEDIAN} (a weighted median, in which a participant weighing 0 for a class,
     *     such as one holding none of it under class-count weights, does not vote on it)
     * @return the n x C aggregate and which participants entered it
     * @throws IllegalArgumentException when the matrices differ in size or do not fit the rule
     */
    public RobustResult<float[][]> aggregateKnowledge(
            List<float[][]> scores, double[][] classWeights) {
        List<TensorRecord> updates = new ArrayList<>(scores.size());
        for (int p = 0; p < scores.size(); p++) {
            updates.add(toRecord(scores.get(p), p));
        }
        CoordinateWise.requireCommonLayout(updates);
        if (rule == RobustRule.MEDIAN) {
            return RobustResult.ofAll(
                    SoftLabels.weightedMedian(scores, classWeights), scores.size());
        }
        return aggregate(updates, () -> toRecord(SoftLabels.weightedMean(scores, classWeights), 0))
                .map(record -> record.get(SCORES).rows());
    }

    /**
     * Applies the rule; {@code weightedMean} computes the mean, whose weights differ between
     * weights (per participant) and knowledge (per participant and class).
     */
    private RobustResult<TensorRecord> aggregate(
            List<TensorRecord> updates, Supplier<TensorRecord> weightedMean) {
        int n = updates.size();
        return switch (rule) {
            case MEAN -> RobustResult.ofAll(weightedMean.get(), n);
            case MEDIAN -> RobustResult.ofAll(CoordinateWise.median(updates), n);
            case TRIMMED_MEAN ->
                    RobustResult.ofAll(CoordinateWise.trimmedMean(updates, trimFraction), n);
            case KRUM, MULTI_KRUM -> krum(updates, n);
        };
    }

    /**
     * Krum or multi-Krum; a round with too few updates for them ({@code n <= 2f + 2}, a round that
     * lost participants) falls back to the coordinate-wise median, which tolerates a minority of
     * bad updates, rather than stopping the run.
     */
    private RobustResult<TensorRecord> krum(List<TensorRecord> updates, int n) {
        if (n <= 2 * assumedByzantine + 2) {
            LOG.warn(
                    "{} needs more than 2f + 2 = {} updates, got {}: the coordinate-wise median"
                            + " stands in this round",
                    rule.configName(),
                    2 * assumedByzantine + 2,
                    n);
            return RobustResult.ofAll(CoordinateWise.median(updates), n);
        }
        int select =
                rule == RobustRule.KRUM
                        ? 1
                        : multiKrumSelect == 0
                                ? n - assumedByzantine
                                : Math.min(multiKrumSelect, n - assumedByzantine);
        return Krum.aggregate(updates, assumedByzantine, select);
    }

    private static TensorRecord toRecord(float[][] matrix, int participant) {
        int classes = matrix.length == 0 ? 0 : matrix[0].length;
        float[] values = new float[matrix.length * classes];
        for (int i = 0; i < matrix.length; i++) {
            if (matrix[i].length != classes) {
                throw new IllegalArgumentException(
                        "participant "
                                + participant
                                + "'s score row "
                                + i
                                + " has "
                                + matrix[i].length
                                + " classes but row 0 has "
                                + classes);
            }
            System.arraycopy(matrix[i], 0, values, i * classes, classes);
        }
        return TensorRecord.of(SCORES, Tensor.wrap(new int[] {matrix.length, classes}, values));
    }
}
