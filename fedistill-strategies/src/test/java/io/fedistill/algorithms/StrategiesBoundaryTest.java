package io.fedistill.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.federation.FederationSpec;
import io.fedistill.core.strategy.Strategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private static FederationSpec spec(
            String algorithm,
            Map<String, Object> options,
            Map<String, String> models,
            Optional<FederationSpec.PublicDataRef> publicData) {
        return new FederationSpec(
                FederationSpec.VERSION,
                algorithm,
                algorithm,
                options,
                3,
                "fp32",
                10,
                List.of(1, 28, 28),
                models,
                new FederationSpec.Training("sgd", 0.05, 0.9, 64, 1, 0, 0),
                1,
                publicData);
    }

    @Test
    void everyAggregatingAlgorithmIsBuiltFromASpecWithoutModelCode() {
        Map<String, String> models = new LinkedHashMap<>();
        models.put("p00", "mlp@64");
        models.put("p01", "mlp@64");
        Optional<FederationSpec.PublicDataRef> publicData =
                Optional.of(
                        new FederationSpec.PublicDataRef(
                                "fashion-mnist",
                                Optional.empty(),
                                Optional.empty(),
                                false,
                                2000,
                                true,
                                true,
                                true));
        Map<String, String> built = new LinkedHashMap<>();
        for (String name : StrategyRegistry.names()) {
            Map<String, Object> options =
                    switch (name) {
                        case "fd" -> Map.of("featureRounds", 2);
                        case "fml" -> Map.of("model", "mlp@64");
                        default -> Map.of();
                    };
            Strategy strategy =
                    StrategyRegistry.newStrategy(spec(name, options, models, publicData));
            built.put(name, strategy.getClass().getSimpleName());
            // without model code there is no global model until a participant gives one
            assertThat(strategy.globalModel()).as(name).isEmpty();
        }
        assertThat(built)
                .containsExactly(
                        Map.entry("local-only", "LocalOnlyStrategy"),
                        Map.entry("fedavg", "WeightAveragingStrategy"),
                        Map.entry("fedprox", "WeightAveragingStrategy"),
                        Map.entry("lg-fedavg", "WeightAveragingStrategy"),
                        Map.entry("fml", "WeightAveragingStrategy"),
                        Map.entry("fd", "FdStrategy"),
                        Map.entry("fedproto", "PrototypeStrategy"),
                        Map.entry("fedmd", "FedMdStrategy"),
                        Map.entry("dsfl", "DsflStrategy"));
    }

    @Test
    void whatOnlyModelCodeKnowsIsRefusedByName() {
        Map<String, String> lenet = Map.of("p00", "lenet");
        assertThatThrownBy(
                        () ->
                                StrategyRegistry.newStrategy(
                                        spec(
                                                "fd",
                                                Map.of("featureRounds", 1),
                                                lenet,
                                                Optional.empty())))
                .hasMessageContaining("cannot compute for 'lenet'")
                .hasMessageContaining("'mlp@64'");
        assertThatThrownBy(
                        () ->
                                StrategyRegistry.newStrategy(
                                        spec("fedproto", Map.of(), lenet, Optional.empty())))
                .hasMessageContaining("fedproto needs every participant's feature width");
        assertThatThrownBy(
                        () ->
                                StrategyRegistry.newStrategy(
                                        spec("dsfl", Map.of(), lenet, Optional.empty())))
                .hasMessageContaining("dsfl distills on public data");
        assertThatThrownBy(
                        () ->
                                StrategyRegistry.newStrategy(
                                        spec("feddf", Map.of(), lenet, Optional.empty())))
                .hasMessageContaining("feddf is not an algorithm that only aggregates");
        assertThatThrownBy(
                        () ->
                                StrategyRegistry.newStrategy(
                                        spec("fml", Map.of("alpha", 0.5), lenet, Optional.empty())))
                .hasMessageContaining(
                        "algorithm 'fml': option 'model' (the global model's architecture, e.g."
                                + " cnn:0.5) is required");
    }
}
