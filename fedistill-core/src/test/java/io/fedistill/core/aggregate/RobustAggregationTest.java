package io.fedistill.core.aggregate;

import static io.fedistill.core.aggregate.KrumTest.SEVEN_UPDATES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RobustAggregationTest {
    /** Uniform example weights for the seven updates of {@link KrumTest#SEVEN_UPDATES}. */
    private static final double[] SEVEN_EQUAL = {1, 1, 1, 1, 1, 1, 1};

    /** Five participants' scores on 3 samples x 2 classes; the last one is an attacker. */
    private static final List<float[][]> FIVE_SCORES =
            List.of(
                    new float[][] {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.5f, 0.5f}},
                    new float[][] {{0.8f, 0.2f}, {0.3f, 0.7f}, {0.6f, 0.4f}},
                    new float[][] {{0.7f, 0.3f}, {0.1f, 0.9f}, {0.4f, 0.6f}},
                    new float[][] {{0.3f, 0.7f}, {0.4f, 0.6f}, {0.7f, 0.3f}},
                    new float[][] {{0f, 1f}, {1f, 0f}, {0f, 1f}});

    private static double[][] equalClassWeights(int participants) {
        double[][] weights = new double[participants][2];
        for (double[] row : weights) {
            Arrays.fill(row, 1.0 / participants);
        }
        return weights;
    }

    private static float[] w(RobustResult<TensorRecord> result) {
        return result.aggregate().get("w").toFloatArray();
    }

    @Test
    void eachRuleAggregatesTheSevenUpdates() {
        // the values are 0, 100, 1, 2, 110, 4, 5
        RobustResult<TensorRecord> mean =
                RobustAggregation.mean()
                        .aggregateWeights(SEVEN_UPDATES, new double[] {1, 0, 0, 0, 0, 0, 1});
        assertThat(w(mean)).containsExactly(2.5f);
        assertThat(mean.selected()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(mean.excluded()).isZero();

        assertThat(w(RobustAggregation.median().aggregateWeights(SEVEN_UPDATES, SEVEN_EQUAL)))
                .containsExactly(4f);
        // 0.2 of 7 drops one value from each end, 0 and 110: (1 + 2 + 4 + 5 + 100) / 5
        assertThat(
                        w(
                                RobustAggregation.trimmedMean(0.2)
                                        .aggregateWeights(SEVEN_UPDATES, SEVEN_EQUAL)))
                .containsExactly(22.4f);

        RobustResult<TensorRecord> krum =
                RobustAggregation.krum(2).aggregateWeights(SEVEN_UPDATES, SEVEN_EQUAL);
        assertThat(w(krum)).containsExactly(2f);
        assertThat(krum.selected()).containsExactly(3);

        // select 0 means n - f = 5
        RobustResult<TensorRecord> multiKrum =
                RobustAggregation.multiKrum(2, 0).aggregateWeights(SEVEN_UPDATES, SEVEN_EQUAL);
        assertThat(w(multiKrum)).containsExactly(2.4f);
        assertThat(multiKrum.selected()).containsExactly(0, 2, 3, 5, 6);
        assertThat(multiKrum.excluded()).isEqualTo(2);
        // the entrants are averaged by their examples, as FedAvg averages: 0, 1, 2, 4, 5 with
        // 1, 1, 1, 2, 5 examples give (0 + 1 + 2 + 8 + 25) / 10; the outliers' weight is moot
        RobustResult<TensorRecord> weighted =
                RobustAggregation.multiKrum(2, 0)
                        .aggregateWeights(SEVEN_UPDATES, new double[] {1, 50, 1, 1, 50, 2, 5});
        assertThat(weighted.selected()).containsExactly(0, 2, 3, 5, 6);
        assertThat(w(weighted)).containsExactly(3.6f);
        // Krum itself keeps the one most central update, whatever the examples
        assertThat(
                        w(
                                RobustAggregation.krum(2)
                                        .aggregateWeights(
                                                SEVEN_UPDATES,
                                                new double[] {1, 50, 1, 1, 50, 2, 5})))
                .containsExactly(2f);
    }

    @Test
    void everyRuleKeepsTheRolesOfTheUpdates() {
        for (RobustAggregation aggregation :
                List.of(
                        RobustAggregation.mean(),
                        RobustAggregation.median(),
                        RobustAggregation.trimmedMean(0.2),
                        RobustAggregation.krum(2),
                        RobustAggregation.multiKrum(2, 3))) {
            TensorRecord aggregate =
                    aggregation.aggregateWeights(SEVEN_UPDATES, SEVEN_EQUAL).aggregate();
            assertThat(aggregate.role("w"))
                    .as(aggregation.toString())
                    .isEqualTo(TensorRole.WEIGHTS);
            assertThat(aggregate.role("prototype"))
                    .as(aggregation.toString())
                    .isEqualTo(TensorRole.FEATURES);
        }
    }

    @Test
    void knowledgeMedianAndTrimmedMeanActPerSampleAndClass() {
        float[][] median =
                RobustAggregation.median()
                        .aggregateKnowledge(FIVE_SCORES, equalClassWeights(5))
                        .aggregate();
        assertThat(median).isDeepEqualTo(new float[][] {{0.7f, 0.3f}, {0.3f, 0.7f}, {0.5f, 0.5f}});

        // 0.2 of 5 drops each entry's smallest and largest value, e.g. for sample 0, class 0:
        // (0.3 + 0.7 + 0.8) / 3
        float[][] trimmed =
                RobustAggregation.trimmedMean(0.2)
                        .aggregateKnowledge(FIVE_SCORES, equalClassWeights(5))
                        .aggregate();
        assertThat(trimmed).hasDimensions(3, 2);
        assertThat(trimmed[0]).containsExactly(new float[] {0.6f, 0.4f}, within(1e-6f));
        assertThat(trimmed[1]).containsExactly(new float[] {0.3f, 0.7f}, within(1e-6f));
        assertThat(trimmed[2]).containsExactly(new float[] {0.5f, 0.5f}, within(1e-6f));
    }

    @Test
    void knowledgeMedianIsWeightedByClassSoNonHoldersDoNotVote() {
        // four of the five (the attacker among them weighing 0): class 0's weight is on the first
        // three, class 1's on the first two and the fourth
        double[][] weights = {{0.4, 0.25}, {0.3, 0.25}, {0.3, 0}, {0, 0.5}, {0, 0}};
        float[][] median =
                RobustAggregation.median().aggregateKnowledge(FIVE_SCORES, weights).aggregate();
        // sample 0, class 0: 0.7 (0.3), 0.8 (0.3), 0.9 (0.4): half the weight is reached at 0.8;
        // class 1: 0.1 (0.25), 0.2 (0.25) split it exactly: (0.2 + 0.7) / 2
        assertThat(median[0]).containsExactly(new float[] {0.8f, 0.45f}, within(1e-6f));
        // the attacker's 1.0 and 0.0 never count; class 1: 0.6 (0.5) then 0.7: (0.6 + 0.7) / 2
        assertThat(median[1]).containsExactly(new float[] {0.2f, 0.65f}, within(1e-6f));
        // odd and even equal weights give the plain median
        float[][] four =
                RobustAggregation.median()
                        .aggregateKnowledge(FIVE_SCORES.subList(0, 4), equalClassWeights(4))
                        .aggregate();
        assertThat(four[0]).containsExactly(new float[] {0.75f, 0.25f}, within(1e-6f));
    }

    @Test
    void knowledgeMeanUsesTheClassWeights() {
        RobustResult<float[][]> mean =
                RobustAggregation.mean().aggregateKnowledge(FIVE_SCORES, equalClassWeights(5));
        // sample 0: (0.9 + 0.8 + 0.7 + 0.3 + 0) / 5 and (0.1 + 0.2 + 0.3 + 0.7 + 1) / 5
        assertThat(mean.aggregate()[0]).containsExactly(new float[] {0.54f, 0.46f}, within(1e-6f));
        assertThat(mean.excluded()).isZero();
    }

    @Test
    void knowledgeMultiKrumLeavesOutTheAttacker() {
        // f = 1 of 5: scores sum the 2 smallest squared distances, 0.18, 0.24, 0.30, 1.22 and 4.8
        RobustResult<float[][]> multiKrum =
                RobustAggregation.multiKrum(1, 0)
                        .aggregateKnowledge(FIVE_SCORES, equalClassWeights(5));
        assertThat(multiKrum.selected()).containsExactly(0, 1, 2, 3);
        float[][] mean = multiKrum.aggregate();
        assertThat(mean[0]).containsExactly(new float[] {0.675f, 0.325f}, within(1e-6f));
        assertThat(mean[1]).containsExactly(new float[] {0.25f, 0.75f}, within(1e-6f));
        assertThat(mean[2]).containsExactly(new float[] {0.55f, 0.45f}, within(1e-6f));

        RobustResult<float[][]> krum =
                RobustAggregation.krum(1).aggregateKnowledge(FIVE_SCORES, equalClassWeights(5));
        assertThat(krum.selected()).containsExactly(0);
        assertThat(krum.aggregate()).isDeepEqualTo(FIVE_SCORES.get(0));
    }

    @Test
    void knowledgeOfDifferentSizesIsRefused() {
        float[][] threeClasses = {{0.2f, 0.3f, 0.5f}, {1f, 0f, 0f}, {0f, 0f, 1f}};
        List<float[][]> sizes = List.of(FIVE_SCORES.get(0), threeClasses);
        assertThatThrownBy(
                        () ->
                                RobustAggregation.median()
                                        .aggregateKnowledge(sizes, equalClassWeights(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "tensor 'scores' has shape [3, 3] for participant 1 but [3, 2] for"
                                + " participant 0");
        float[][] ragged = {{0.5f, 0.5f}, {1f}, {0f, 1f}};
        List<float[][]> withRagged = List.of(FIVE_SCORES.get(0), ragged);
        assertThatThrownBy(
                        () ->
                                RobustAggregation.mean()
                                        .aggregateKnowledge(withRagged, equalClassWeights(2)))
                .hasMessage("participant 1's score row 1 has 1 classes but row 0 has 2");
    }

    @Test
    void krumOnARoundWithTooFewParticipantsFallsBackToTheMedian() {
        // n = 4 <= 2f + 2 = 4: the median of the four stands in, and nobody is left out
        RobustResult<float[][]> fallback =
                RobustAggregation.krum(1)
                        .aggregateKnowledge(FIVE_SCORES.subList(0, 4), equalClassWeights(4));
        RobustResult<float[][]> median =
                RobustAggregation.median()
                        .aggregateKnowledge(FIVE_SCORES.subList(0, 4), equalClassWeights(4));
        assertThat(fallback.aggregate()).isDeepEqualTo(median.aggregate());
        assertThat(fallback.excluded()).isZero();
    }

    @Test
    void configsNameTheBadFieldAndValue() {
        assertThatThrownBy(() -> new RobustAggregation(null, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "rule must be one of [mean, median, trimmed-mean, krum, multi-krum], got"
                                + " null");
        assertThatThrownBy(() -> RobustAggregation.trimmedMean(0.5))
                .hasMessage("trimFraction must be in [0, 0.5), got 0.5");
        assertThatThrownBy(() -> RobustAggregation.krum(-1))
                .hasMessage("assumedByzantine must be >= 0, got -1");
        assertThatThrownBy(() -> RobustAggregation.multiKrum(1, -2))
                .hasMessage("multiKrumSelect must be >= 0 (0 selects n - f), got -2");
    }

    @Test
    void rulesAreChosenByConfigName() {
        assertThat(RobustRule.fromConfigName("trimmed-mean")).isEqualTo(RobustRule.TRIMMED_MEAN);
        assertThat(RobustRule.fromConfigName("multi-krum")).isEqualTo(RobustRule.MULTI_KRUM);
        for (RobustRule rule : RobustRule.values()) {
            assertThat(RobustRule.fromConfigName(rule.configName())).isEqualTo(rule);
        }
        assertThatThrownBy(() -> RobustRule.fromConfigName("geometric-median"))
                .hasMessage(
                        "unknown aggregation rule 'geometric-median'; known: [mean, median,"
                                + " trimmed-mean, krum, multi-krum]");
    }

    @Test
    void resultsRefuseSelectionsOutsideTheParticipants() {
        assertThatThrownBy(() -> new RobustResult<>("x", 3, List.of(0, 3)))
                .hasMessage("selected must be ascending positions in [0, 3), got [0, 3]");
        assertThatThrownBy(() -> new RobustResult<>("x", 3, List.of(2, 1)))
                .hasMessage("selected must be ascending positions in [0, 3), got [2, 1]");
        assertThat(new RobustResult<>("x", 3, List.of(1)).map(String::length).aggregate())
                .isEqualTo(1);
    }
}
