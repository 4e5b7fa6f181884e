package io.fedistill.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static Schedule read(Object value) {
        return new AlgorithmOptions("fd", Map.of("alpha", value), List.of("alpha"))
                .getSchedule("alpha", 0.5, 0, 1);
    }

    @Test
    void constantLinearAndStepSchedules() {
        assertThat(read(0.3).valueAt(7, 10)).isEqualTo(0.3);
        Schedule linear = read(Map.of("linear", List.of(0.5, 1.0)));
        assertThat(linear.valueAt(1, 11)).isEqualTo(0.5);
        assertThat(linear.valueAt(6, 11)).isCloseTo(0.75, within(1e-12));
        assertThat(linear.valueAt(11, 11)).isEqualTo(1.0);
        Schedule step = read(Map.of("step", List.of(0.2, 0.9), "at", 4));
        assertThat(step.valueAt(3, 10)).isEqualTo(0.2);
        assertThat(step.valueAt(4, 10)).isEqualTo(0.9);
    }

    @Test
    void badSchedulesNameTheOption() {
        assertThatThrownBy(() -> read(Map.of("linear", List.of(0.5, 2.0))))
                .hasMessageContaining("option 'alpha': values must be in [0.0, 1.0], got 2.0");
        assertThatThrownBy(() -> read(Map.of("step", List.of(0.1, 0.2))))
                .hasMessageContaining("step needs at: <a whole round >= 1>");
        assertThatThrownBy(() -> read(Map.of("step", List.of(0.1, 0.2), "at", 2.5)))
                .hasMessageContaining("step needs at: <a whole round >= 1>, got 2.5");
        assertThatThrownBy(() -> read(Map.of("cosine", List.of(0.1, 0.2))))
                .hasMessageContaining("must have the key linear or step");
        assertThatThrownBy(() -> read(List.of(1, 2)))
                .hasMessageContaining("must be a number, {linear");
    }

    @Test
    void wholeNumberOptionsRefuseFractions() {
        AlgorithmOptions options =
                new AlgorithmOptions(
                        "dsfl",
                        Map.of("subsetSize", 2.5, "distillEpochs", 3.0),
                        List.of("subsetSize", "distillEpochs"));
        assertThatThrownBy(() -> options.getInt("subsetSize", 1000, 1, 10_000))
                .hasMessageContaining("option 'subsetSize' must be a whole number, got 2.5");
        assertThat(options.getInt("distillEpochs", 1, 1, 10)).isEqualTo(3);
        assertThat(options.getInt("absent", 7, 1, 10)).isEqualTo(7);
        assertThatThrownBy(() -> options.getInt("distillEpochs", 1, 1, 2))
                .hasMessageContaining("option 'distillEpochs' must be in [1, 2], got 3");
    }
}
