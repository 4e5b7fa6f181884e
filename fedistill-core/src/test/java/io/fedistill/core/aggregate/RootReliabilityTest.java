package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RootReliabilityTest {
    /** Three samples: two root samples (classes 0 and 0) and one unlabelled. */
    private static final int[] ROOTS = {0, 0};

    /** a is right on class 0, b reverses it, c is half right. */
    private static final List<float[][]> PROBABILITIES =
            List.of(
                    new float[][] {{0.9f, 0.1f}, {0.7f, 0.3f}, {0.5f, 0.5f}},
                    new float[][] {{0.1f, 0.9f}, {0.3f, 0.7f}, {0.5f, 0.5f}},
                    new float[][] {{0.5f, 0.5f}, {0.5f, 0.5f}, {0.5f, 0.5f}});

    private static final double[][] WEIGHTS = {{0.5, 0.2}, {0.3, 0.3}, {0.2, 0.5}};

    @Test
    void eachClassWeightIsScaledByTheMeanProbabilityOfTheTrueClassOnItsRootSamples() {
        double[][] scaled = RootReliability.reweigh(PROBABILITIES, ROOTS, WEIGHTS);

        // reliability on class 0: a (0.9 + 0.7) / 2 = 0.8, b 0.2, c 0.5
        double total = 0.5 * 0.8 + 0.3 * 0.2 + 0.2 * 0.5;
        assertThat(scaled[0][0]).isCloseTo(0.5 * 0.8 / total, within(1e-6));
        assertThat(scaled[1][0]).isCloseTo(0.3 * 0.2 / total, within(1e-6));
        assertThat(scaled[2][0]).isCloseTo(0.2 * 0.5 / total, within(1e-6));
        // class 1 has no root sample: its weights stay
        assertThat(new double[] {scaled[0][1], scaled[1][1], scaled[2][1]})
                .containsExactly(0.2, 0.3, 0.5);
    }

    @Test
    void aClassOnWhichNobodyWithWeightIsReliableKeepsItsWeights() {
        List<float[][]> allWrong =
                List.of(new float[][] {{0, 1}, {0, 1}}, new float[][] {{0, 1}, {0, 1}});

        double[][] scaled =
                RootReliability.reweigh(allWrong, ROOTS, new double[][] {{0.6, 0.5}, {0.4, 0.5}});

        assertThat(scaled[0][0]).isEqualTo(0.6);
        assertThat(scaled[1][0]).isEqualTo(0.4);
    }

    @Test
    void badInputIsRefusedByName() {
        assertThatThrownBy(() -> RootReliability.reweigh(PROBABILITIES, new int[] {2}, WEIGHTS))
                .hasMessage("root label 2 at row 0 is outside [0, 2)");
        assertThatThrownBy(
                        () ->
                                RootReliability.reweigh(
                                        PROBABILITIES, new int[] {0, 0, 1, 1}, WEIGHTS))
                .hasMessageContaining("participant 0 sent 3 rows for 4 root samples");
        assertThatThrownBy(
                        () -> RootReliability.reweigh(PROBABILITIES.subList(0, 2), ROOTS, WEIGHTS))
                .hasMessage("2 probability matrices but 3 weight rows");
    }
}
