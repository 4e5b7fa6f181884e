package io.fedistill.algorithms.fedkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TruncatedSvdTest {
    private static TensorRecord record(String name, int[] shape, float[] values) {
        return TensorRecord.builder()
                .put(name, Tensor.wrap(shape, values), TensorRole.WEIGHTS)
                .build();
    }

    @Test
    void aLowRankUpdateGoesUpAsFactorsAndComesBackWhole() {
        // a 20 x 30 update of rank 2 (plus a little noise) on random global weights, and a bias
        Random random = new Random(4);
        int rows = 20;
        int columns = 30;
        float[] start = new float[rows * columns];
        float[] after = new float[rows * columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                start[i * columns + j] = (float) random.nextGaussian();
                double update =
                        Math.sin(i) * Math.cos(j)
                                + 0.5 * (i % 3) * (j % 5)
                                + 1e-4 * random.nextGaussian();
                after[i * columns + j] = start[i * columns + j] + (float) update;
            }
        }
        TensorRecord global =
                TensorRecord.builder()
                        .putAll(record("w", new int[] {rows, columns}, start))
                        .putAll(record("b", new int[] {rows}, new float[rows]))
                        .build();
        TensorRecord trained =
                TensorRecord.builder()
                        .putAll(record("w", new int[] {rows, columns}, after))
                        .putAll(record("b", new int[] {rows}, new float[rows]))
                        .build();
        TensorRecord upload = TruncatedSvd.compress(trained, global, 0.999);
        assertThat(upload.names()).containsExactlyInAnyOrder("w#u", "w#v", "b");
        assertThat(upload.get("w#u").shape()).containsExactly(rows, 2);
        assertThat(upload.get("w#v").shape()).containsExactly(2, columns);
        TensorRecord rebuilt = LowRankUpdate.reconstruct(global, upload);
        float[] back = rebuilt.get("w").toFloatArray();
        for (int k = 0; k < back.length; k++) {
            assertThat(back[k]).isCloseTo(after[k], within(1e-2f));
        }
        // where the factors would not be smaller, the tensor goes up whole
        assertThat(TruncatedSvd.compress(trained, global, 1.0).names()).contains("w");
    }

    @Test
    void theKeptRankReachesTheEnergy() {
        double[] sigma = {3, 2, 1}; // squares 9, 4, 1 of 14
        assertThat(TruncatedSvd.keptRank(sigma, 0.5)).isEqualTo(1);
        assertThat(TruncatedSvd.keptRank(sigma, 0.9)).isEqualTo(2);
        assertThat(TruncatedSvd.keptRank(sigma, 0.95)).isEqualTo(3);
    }
}
