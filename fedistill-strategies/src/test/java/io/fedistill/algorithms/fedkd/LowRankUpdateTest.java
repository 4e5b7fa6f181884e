package io.fedistill.algorithms.fedkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import org.junit.jupiter.api.Test;

class LowRankUpdateTest {
    private static final TensorRecord GLOBAL =
            TensorRecord.builder()
                    .put(
                            "w",
                            Tensor.wrap(new int[] {2, 3}, new float[] {1, 1, 1, 1, 1, 1}),
                            TensorRole.WEIGHTS)
                    .put("b", Tensor.wrap(new int[] {2}, new float[] {0, 0}), TensorRole.WEIGHTS)
                    .build();

    private static TensorRecord.Builder factors(
            int[] leftShape, float[] left, int[] rightShape, float[] right) {
        return TensorRecord.builder()
                .put("w#u", Tensor.wrap(leftShape, left), TensorRole.EXACT)
                .put("w#v", Tensor.wrap(rightShape, right), TensorRole.EXACT);
    }

    @Test
    void factorsAreMultipliedBackOntoTheGlobalWeights() {
        // update = [1, 2]^T [1, 0, -1]
        TensorRecord upload =
                factors(
                                new int[] {2, 1},
                                new float[] {1, 2},
                                new int[] {1, 3},
                                new float[] {1, 0, -1})
                        .put(
                                "b",
                                Tensor.wrap(new int[] {2}, new float[] {5, 6}),
                                TensorRole.WEIGHTS)
                        .build();
        TensorRecord rebuilt = LowRankUpdate.reconstruct(GLOBAL, upload);
        assertThat(rebuilt.get("w").toFloatArray()).containsExactly(2, 1, 0, 3, 1, -1);
        assertThat(rebuilt.get("b").toFloatArray()).containsExactly(5, 6);
    }

    @Test
    void anUploadThatDoesNotFitIsRefusedByName() {
        assertThatThrownBy(
                        () ->
                                LowRankUpdate.reconstruct(
                                        GLOBAL,
                                        factors(
                                                        new int[] {2, 1},
                                                        new float[2],
                                                        new int[] {1, 3},
                                                        new float[3])
                                                .build()))
                .hasMessageContaining("neither 'b' nor its factors");
        assertThatThrownBy(
                        () ->
                                LowRankUpdate.reconstruct(
                                        GLOBAL,
                                        factors(
                                                        new int[] {2, 1},
                                                        new float[2],
                                                        new int[] {1, 4},
                                                        new float[4])
                                                .put(
                                                        "b",
                                                        Tensor.wrap(new int[] {2}, new float[2]),
                                                        TensorRole.WEIGHTS)
                                                .build()))
                .hasMessageContaining("expected [2, k] and [k, 3]");
        assertThatThrownBy(
                        () ->
                                LowRankUpdate.reconstruct(
                                        GLOBAL,
                                        factors(
                                                        new int[] {2, 1},
                                                        new float[2],
                                                        new int[] {1, 3},
                                                        new float[3])
                                                .put(
                                                        "b",
                                                        Tensor.wrap(new int[] {2}, new float[2]),
                                                        TensorRole.WEIGHTS)
                                                .put(
                                                        "x",
                                                        Tensor.wrap(new int[] {1}, new float[1]),
                                                        TensorRole.WEIGHTS)
                                                .build()))
                .hasMessageContaining("unknown tensors [x]");
    }
}
