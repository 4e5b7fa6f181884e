package io.fedistill.core.aggregate;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * A label-free check of each participant's class scores against the label counts it reports. A
 * model trained on skewed data predicts its own labels more often, so what an honest participant's
 * model predicts for each class over the public samples (its mean probability, or for logits its
 * mean logit, the mean log-probability up to a per-sample constant) rises and falls with the counts
 * it reports: their correlation across the classes is positive. A participant that reverses its
 * soft labels predicts least the labels it holds most, and the correlation turns negative; negated
 * logits give exactly the negative of the honest correlation; uploads at random show none.
 *
 * <p>A participant whose correlation is below 0 loses its vote for the round: its weights become 0.
 * The threshold 0 is the line between predicting one's own labels more often and less often. Counts
 * spread too evenly to tell (a coefficient of variation below {@value #MIN_COUNT_SPREAD}, as near
 * IID data gives, where an honest correlation is noise around 0) or a flat prediction give no
 * evidence either way, and the participant keeps its vote. With two classes the correlation is
 * always -1 or 1, so the check only compares which class each side favours.
 *
 * <p>The counts are what the participant says, so the check only catches attackers that report the
 * counts of the data they hold: one that reports even counts, or counts that match what it uploads
 * (as an attacker that trains on flipped labels does), keeps its vote.
 */
public final class LabelPriorCheck {
    /**
     * The least coefficient of variation (standard deviation over mean) of a participant's label
     * counts for its correlation to count as evidence: IID shares of a few thousand examples stay
     * below 0.1, a Dirichlet(1.0) share is near 1.
     */
    public static final double MIN_COUNT_SPREAD = 0.25;

    private LabelPriorCheck() {}

    /**
     * Returns the correlation, across the classes, between what a participant's scores predict for
     * each class on average and the label counts it reports.
     *
     * @param scores the participant's n x C scores, probabilities or logits (both averaged as they
     *     are)
     * @param labelCounts the participant's reported training examples per class
     * @return the Pearson correlation in [-1, 1], or NaN (no evidence) when the counts are spread
     *     too evenly ({@link #MIN_COUNT_SPREAD}) or the predictions are the same for every class
     *     (or there are no samples)
     * @throws IllegalArgumentException when a row or the counts do not have one entry per class
     */
    public static double agreement(float[][] scores, double[] labelCounts) {
        int classes = labelCounts.length;
        double[] predicted = new double[classes];
        for (int i = 0; i < scores.length; i++) {
            if (scores[i].length != classes) {
                throw new IllegalArgumentException(
                        "row "
                                + i
                                + " has "
                                + scores[i].length
                                + " classes but the counts have "
                                + classes);
            }
            for (int k = 0; k < classes; k++) {
                predicted[k] += scores[i][k];
            }
        }
        if (classes < 2 || isFlat(predicted) || spread(labelCounts) < MIN_COUNT_SPREAD) {
            return Double.NaN;
        }
        return new PearsonsCorrelation().correlation(predicted, labelCounts);
    }

    /**
     * Returns each participant's {@link #agreement}.
     *
     * @param scores one n x C matrix per participant
     * @param labelCounts each participant's reported counts, in the same order
     * @throws IllegalArgumentException when the lists differ in length or a participant's counts
     *     are missing (withheld, as under differential privacy)
     */
    public static double[] agreements(List<float[][]> scores, List<double[]> labelCounts) {
        if (scores.size() != labelCounts.size()) {
            throw new IllegalArgumentException(
                    scores.size() + " score matrices but " + labelCounts.size() + " label counts");
        }
        double[] agreements = new double[scores.size()];
        for (int p = 0; p < agreements.length; p++) {
            if (labelCounts.get(p).length == 0) {
                throw new IllegalArgumentException(
                        "participant "
                                + p
                                + " withheld its label counts, which the label prior check reads");
            }
            agreements[p] = agreement(scores.get(p), labelCounts.get(p));
        }
        return agreements;
    }

    /**
     * Returns the weights with every participant whose agreement is below 0 left out: its row set
     * to 0 and each column rescaled to sum to 1 over the others. A class whose every weighted
     * participant was left out is shared evenly among those kept; when nobody is below 0, or
     * everybody is (there is nobody else to listen to), the weights come back as they are.
     *
     * @param agreements each participant's {@link #agreement}, NaN for no evidence
     * @param classWeights participant x class weights, each column summing to 1
     * @return the new weights (a new array)
     * @throws IllegalArgumentException when the two disagree in length
     */
    public static double[][] reweigh(double[] agreements, double[][] classWeights) {
        if (agreements.length != classWeights.length) {
            throw new IllegalArgumentException(
                    agreements.length + " agreements but " + classWeights.length + " weight rows");
        }
        int n = agreements.length;
        int kept = n - leftOut(agreements);
        if (kept == n) {
            // nobody left out: the very same weights, not a rescaled copy that rounds differently
            return Arrays.stream(classWeights).map(double[]::clone).toArray(double[][]::new);
        }
        int classes = classWeights[0].length;
        double[][] even = new double[n][classes];
        double[][] scaled = new double[n][];
        for (int p = 0; p < n; p++) {
            boolean keep = !fails(agreements[p]);
            scaled[p] = keep ? classWeights[p].clone() : new double[classes];
            if (keep) {
                Arrays.fill(even[p], 1.0 / kept);
            }
        }
        return ParticipantWeighting.normalizeColumns(scaled, even);
    }

    /**
     * Returns how many participants {@link #reweigh} leaves out: those whose agreement is below 0,
     * or none when that is everybody.
     */
    public static int leftOut(double[] agreements) {
        int failures = 0;
        for (double agreement : agreements) {
            failures += fails(agreement) ? 1 : 0;
        }
        return failures == agreements.length ? 0 : failures;
    }

    private static boolean fails(double agreement) {
        return agreement < 0;
    }

    private static boolean isFlat(double[] values) {
        for (double v : values) {
            if (v != values[0]) {
                return false;
            }
        }
        return true;
    }

    /** Returns the coefficient of variation of non-negative counts: 0 when they are all 0. */
    private static double spread(double[] counts) {
        double mean = StatUtils.mean(counts);
        return mean > 0 ? new StandardDeviation(false).evaluate(counts) / mean : 0;
    }
}
