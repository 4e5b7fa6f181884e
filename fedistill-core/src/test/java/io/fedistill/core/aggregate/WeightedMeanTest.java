package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedMeanTest {
    @Test
    void weightsByGivenCounts() {
        TensorRecord a = TensorRecord.of("w", Tensor.vector(1f, 2f));
        TensorRecord b = TensorRecord.of("w", Tensor.vector(4f, 8f));
        TensorRecord mean = WeightedMean.of(List.of(a, b), new double[] {1, 2});
        assertThat(mean.get("w").toFloatArray()).containsExactly(3f, 6f);
    }

    @Test
    void refusesMismatchedShapesAndZeroWeights() {
        TensorRecord a = TensorRecord.of("w", Tensor.vector(1f, 2f));
        TensorRecord b = TensorRecord.of("w", Tensor.vector(1f));
        assertThatThrownBy(() -> WeightedMean.of(List.of(a, b), new double[] {1, 1}))
                .hasMessageContaining("differs in shape");
        assertThatThrownBy(() -> WeightedMean.of(List.of(a, a), new double[] {0, 0}))
                .hasMessageContaining("sum to zero");
    }
}
