package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelPriorCheckTest {
    /** Two samples, three classes: the predicted distribution is the mean of the rows. */
    private static final float[][] FAVOURS_CLASS_0 = {{0.7f, 0.2f, 0.1f}, {0.5f, 0.3f, 0.2f}};

    @Test
    void agreementIsThePearsonCorrelationOfThePredictedDistributionWithTheCounts() {
        // predicted (0.6, 0.25, 0.15) against counts (10, 5, 0): centred (0.2666667, -0.0833333,
        // -0.1833333) and (5, 0, -5); covariance 0.2666667 * 5 + 0.1833333 * 5 = 2.25; norms
        // sqrt(0.1116667) and sqrt(50): r = 2.25 / (0.3341656 * 7.0710678) = 0.9522166
        assertThat(LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {10, 5, 0}))
                .isCloseTo(0.9522166, within(1e-6));
        // the same model reporting that it holds class 2 most predicts least what it holds most
        assertThat(LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {0, 5, 10}))
                .isCloseTo(-0.9522166, within(1e-6));
    }

    @Test
    void logitsAreAveragedAsTheyAreAndNegatedLogitsGiveTheNegativeAgreement() {
        // logits whose softmax is FAVOURS_CLASS_0: log-probabilities plus 3; their mean per class,
        // (2.475089, 1.593295, 1.043989), correlates with (10, 5, 0) at 0.9911234
        float[][] logits = new float[FAVOURS_CLASS_0.length][];
        float[][] negated = new float[FAVOURS_CLASS_0.length][];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = new float[FAVOURS_CLASS_0[i].length];
            negated[i] = new float[FAVOURS_CLASS_0[i].length];
            for (int k = 0; k < logits[i].length; k++) {
                logits[i][k] = (float) Math.log(FAVOURS_CLASS_0[i][k]) + 3;
                negated[i][k] = -logits[i][k];
            }
        }
        double[] counts = {10, 5, 0};
        assertThat(LabelPriorCheck.agreement(logits, counts)).isCloseTo(0.9911234, within(1e-6));
        assertThat(LabelPriorCheck.agreement(negated, counts)).isCloseTo(-0.9911234, within(1e-6));
    }

    @Test
    void flatCountsOrPredictionsGiveNoEvidence() {
        assertThat(LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {4, 4, 4})).isNaN();
        // near-even counts, as IID shares have: coefficient of variation 0.020 < 0.25
        assertThat(LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {98, 101, 103})).isNaN();
        // 0.245 is still too even; 0.327, with the same shape as (10, 5, 0), is evidence
        assertThat(LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {13, 10, 7})).isNaN();
        assertThat(LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {14, 10, 6}))
                .isCloseTo(0.9522166, within(1e-6));
        float[][] uniform = {{0.5f, 0.5f}, {0.5f, 0.5f}};
        assertThat(LabelPriorCheck.agreement(uniform, new double[] {9, 1})).isNaN();
    }

    @Test
    void aParticipantBelowZeroLosesItsVoteAndTheOthersShareIt() {
        double[][] weights = {{0.5, 0.2}, {0.3, 0.3}, {0.2, 0.5}};
        double[] agreements = {0.9, -0.4, Double.NaN};

        double[][] reweighed = LabelPriorCheck.reweigh(agreements, weights);

        assertThat(reweighed[1]).containsExactly(0, 0);
        assertThat(reweighed[0][0]).isCloseTo(0.5 / 0.7, within(1e-12));
        assertThat(reweighed[2][0]).isCloseTo(0.2 / 0.7, within(1e-12));
        assertThat(reweighed[0][1]).isCloseTo(0.2 / 0.7, within(1e-12));
        assertThat(LabelPriorCheck.leftOut(agreements)).isEqualTo(1);
        assertThat(weights[1]).as("the input is left as it was").containsExactly(0.3, 0.3);
    }

    @Test
    void aClassOnlyTheLeftOutHeldIsSharedEvenlyAndNobodyKeptChangesNothing() {
        // class 1 is held by participant 1 alone, which is left out
        double[][] weights = {{0.6, 0}, {0.4, 1}, {0, 0}};

        double[][] reweighed = LabelPriorCheck.reweigh(new double[] {0.5, -0.5, 0.2}, weights);

        assertThat(reweighed[0]).containsExactly(1, 0.5);
        assertThat(reweighed[1]).containsExactly(0, 0);
        assertThat(reweighed[2]).containsExactly(0, 0.5);
        double[] everybodyFails = {-1, -1, -0.1};
        assertThat(LabelPriorCheck.reweigh(everybodyFails, weights)).isDeepEqualTo(weights);
        assertThat(LabelPriorCheck.leftOut(everybodyFails)).isZero();
        // weights whose columns sum to 1 only up to rounding (0.3 + 0.4 + 0.29999999999999993 =
        // 0.9999999999999999) come back bit for bit when nobody is left out, not rescaled
        double[][] rounded = {{0.3, 0.7}, {0.4, 0.3}, {0.29999999999999993, 0.0}};
        assertThat(LabelPriorCheck.reweigh(new double[] {0.5, Double.NaN, 0.1}, rounded))
                .isDeepEqualTo(rounded)
                .isNotSameAs(rounded);
    }

    @Test
    void badInputIsRefusedByName() {
        assertThatThrownBy(() -> LabelPriorCheck.agreement(FAVOURS_CLASS_0, new double[] {1, 2}))
                .hasMessage("row 0 has 3 classes but the counts have 2");
        assertThatThrownBy(
                        () ->
                                LabelPriorCheck.agreements(
                                        List.<float[][]>of(FAVOURS_CLASS_0),
                                        List.of(new double[0])))
                .hasMessage(
                        "participant 0 withheld its label counts, which the label prior check"
                                + " reads");
        assertThatThrownBy(
                        () ->
                                LabelPriorCheck.agreements(
                                        List.<float[][]>of(FAVOURS_CLASS_0), List.of()))
                .hasMessage("1 score matrices but 0 label counts");
        assertThatThrownBy(() -> LabelPriorCheck.reweigh(new double[] {1}, new double[2][2]))
                .hasMessage("1 agreements but 2 weight rows");
    }
}
