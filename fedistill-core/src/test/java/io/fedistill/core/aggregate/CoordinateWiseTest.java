package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CoordinateWiseTest {
    /** Five updates of two coordinates; the last one is an outlier in both. */
    private final List<TensorRecord> fiveUpdates =
            List.of(
                    weights(1f, 10f),
                    weights(2f, 40f),
                    weights(3f, 20f),
                    weights(4f, 35f),
                    weights(100f, -50f));

    private static TensorRecord weights(float... values) {
        return TensorRecord.of("w", Tensor.vector(values), TensorRole.WEIGHTS);
    }

    @Test
    void theMedianOfPlainValuesIsTheMiddleOneOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(CoordinateWise.median(new double[] {9, 1, 4})).isEqualTo(4);
        assertThat(CoordinateWise.median(new double[] {9, 1, 4, 2})).isEqualTo(3);
        assertThat(CoordinateWise.median(new double[] {-2})).isEqualTo(-2);
        assertThat(CoordinateWise.median(new double[0])).isZero();
        double[] values = {3, 1, 2};
        CoordinateWise.median(values);
        assertThat(values).containsExactly(3, 1, 2); // the input keeps its order
    }

    @Test
    void medianTakesTheMiddleValueOfEachCoordinate() {
        // sorted columns: (1, 2, 3, 4, 100) and (-50, 10, 20, 35, 40)
        assertThat(CoordinateWise.median(fiveUpdates).get("w").toFloatArray())
                .containsExactly(3f, 20f);
    }

    @Test
    void medianOfAnEvenCountAveragesTheTwoMiddleValues() {
        List<TensorRecord> four = List.of(weights(4f), weights(1f), weights(3f), weights(2f));
        assertThat(CoordinateWise.median(four).get("w").toFloatArray()).containsExactly(2.5f);
    }

    @Test
    void trimmedMeanDropsTheSameCountFromEachEnd() {
        // beta = 0.2 of 5 drops one value from each end: (2 + 3 + 4) / 3 and (10 + 20 + 35) / 3
        assertThat(CoordinateWise.trimmedMean(fiveUpdates, 0.2).get("w").toFloatArray())
                .containsExactly(3f, (float) (65.0 / 3));
        // beta = 0.1 of 5 rounds down to nothing dropped: the plain mean
        assertThat(CoordinateWise.trimmedMean(fiveUpdates, 0.1).get("w").toFloatArray())
                .containsExactly(22f, 11f);
    }

    @Test
    void trimmedMeanJustUnderOneHalfKeepsOneValue() {
        List<TensorRecord> two = List.of(weights(1f), weights(5f));
        List<TensorRecord> three = List.of(weights(1f), weights(5f), weights(9f));
        assertThat(CoordinateWise.trimmedMean(two, 0.49).get("w").toFloatArray())
                .containsExactly(3f);
        assertThat(CoordinateWise.trimmedMean(three, 0.4999).get("w").toFloatArray())
                .containsExactly(5f);
    }

    @Test
    void trimsTheFractionAProductJustBelowAWholeNumberMeans() {
        // 0.29 * 100 = 28.999999999999996 in doubles, but the fraction means 29 values per end;
        // of the squares 0, 1, 4, .., 99^2 that keeps 29^2 .. 70^2, whose sum is 109081 (dropping
        // only 28 would give 114906 / 44 instead)
        List<TensorRecord> squares =
                IntStream.range(0, 100).mapToObj(v -> weights((float) v * v)).toList();
        assertThat(CoordinateWise.trimmedMean(squares, 0.29).get("w").toFloatArray())
                .containsExactly((float) (109081.0 / 42));
    }

    @Test
    void keepsNamesShapesAndRoles() {
        TensorRecord a =
                TensorRecord.builder()
                        .put(
                                "kernel",
                                Tensor.of(new int[] {2, 2}, new float[] {1, 2, 3, 4}),
                                TensorRole.WEIGHTS)
                        .put("prototypes", Tensor.vector(5f), TensorRole.FEATURES)
                        .build();
        TensorRecord b =
                TensorRecord.builder()
                        .put(
                                "kernel",
                                Tensor.of(new int[] {2, 2}, new float[] {3, 4, 5, 6}),
                                TensorRole.WEIGHTS)
                        .put("prototypes", Tensor.vector(7f), TensorRole.FEATURES)
                        .build();
        TensorRecord median = CoordinateWise.median(List.of(a, b, a));
        assertThat(median.names()).containsExactly("kernel", "prototypes");
        assertThat(median.get("kernel").shape()).containsExactly(2, 2);
        assertThat(median.get("kernel").toFloatArray()).containsExactly(1f, 2f, 3f, 4f);
        assertThat(median.role("kernel")).isEqualTo(TensorRole.WEIGHTS);
        assertThat(median.role("prototypes")).isEqualTo(TensorRole.FEATURES);
    }

    @Test
    void trimsANanAsAnExtremeValue() {
        List<TensorRecord> withNan =
                List.of(weights(1f), weights(2f), weights(Float.NaN), weights(3f), weights(4f));
        assertThat(CoordinateWise.median(withNan).get("w").toFloatArray()).containsExactly(3f);
        assertThat(CoordinateWise.trimmedMean(withNan, 0.2).get("w").toFloatArray())
                .containsExactly(3f);
    }

    @Test
    void refusesMismatchedUpdates() {
        assertThatThrownBy(() -> CoordinateWise.median(List.of(weights(1f, 2f), weights(1f))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor 'w' has shape [1] for participant 1 but [2] for participant 0");
        TensorRecord renamed = TensorRecord.of("v", Tensor.vector(1f), TensorRole.WEIGHTS);
        assertThatThrownBy(() -> CoordinateWise.median(List.of(weights(1f), renamed)))
                .hasMessage("participant 1 sent tensors [v] but participant 0 sent [w]");
        TensorRecord logits = TensorRecord.of("w", Tensor.vector(1f), TensorRole.LOGITS);
        assertThatThrownBy(() -> CoordinateWise.median(List.of(weights(1f), logits)))
                .hasMessage("tensor 'w' is logits for participant 1 but weights for participant 0");
        assertThatThrownBy(() -> CoordinateWise.median(List.of()))
                .hasMessage("cannot aggregate zero updates");
    }

    @Test
    void refusesTrimFractionsOutsideTheRange() {
        assertThatThrownBy(() -> CoordinateWise.trimmedMean(fiveUpdates, 0.5))
                .hasMessage("trimFraction must be in [0, 0.5), got 0.5");
        assertThatThrownBy(() -> CoordinateWise.trimmedMean(fiveUpdates, -0.1))
                .hasMessage("trimFraction must be in [0, 0.5), got -0.1");
        assertThatThrownBy(() -> CoordinateWise.trimmedMean(fiveUpdates, Double.NaN))
                .hasMessage("trimFraction must be in [0, 0.5), got NaN");
    }
}
