package io.fedistill.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.strategy.Strategy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator halves of the algorithms that only aggregate must run without DJL or PyTorch:
 * this module's class path, which is theirs, holds neither (FdStrategyTest runs FD rounds on it).
 */
class StrategiesBoundaryTest {
    @Test
    void aggregatingStrategiesLoadWithoutDjlOrPyTorch() throws Exception {
        for (String engineClass :
                List.of("ai.djl.ndarray.NDArray", "ai.djl.pytorch.engine.PtEngine")) {
            assertThatThrownBy(() -> Class.forName(engineClass))
                    .isInstanceOf(ClassNotFoundException.class);
        }
        for (String strategy :
                List.of(
                        "io.fedistill.algorithms.fedavg.WeightAveragingStrategy",
                        "io.fedistill.algorithms.fd.FdStrategy",
                        "io.fedistill.algorithms.fedmd.FedMdStrategy",
                        "io.fedistill.algorithms.dsfl.DsflStrategy")) {
            Class<?> loaded = Class.forName(strategy, true, getClass().getClassLoader());
            assertThat(Strategy.class.isAssignableFrom(loaded)).as(strategy).isTrue();
        }
    }
}
