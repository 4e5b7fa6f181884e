package io.fedistill.core.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FederationSpecTest {
    private static final FederationSpec.Training TRAINING =
            new FederationSpec.Training("sgd", 0.05, 0.9, 64, 1, 0, 0);

    private static FederationSpec spec(
            int version,
            Map<String, Object> options,
            List<Integer> shape,
            Map<String, String> models) {
        return new FederationSpec(
                version,
                "fd",
                "fd-mixed",
                options,
                7,
                "fp32",
                10,
                shape,
                models,
                TRAINING,
                1,
                Optional.of(
                        new FederationSpec.PublicDataRef(
                                "fashion-mnist",
                                Optional.empty(),
                                Optional.empty(),
                                false,
                                500,
                                false,
                                true,
                                true)));
    }

    @Test
    void freezesOptionsDeeplyAndKeepsTheFleetOrder() {
        List<Object> steps = new ArrayList<>(List.of(1, 2));
        Map<String, Object> schedule = new LinkedHashMap<>(Map.of("kind", "step", "at", steps));
        Map<String, Object> options = new LinkedHashMap<>(Map.of("alpha", schedule));
        Map<String, String> models = new LinkedHashMap<>();
        models.put("p01", "lenet");
        models.put("p00", "mlp:200-200");
        FederationSpec spec = spec(FederationSpec.VERSION, options, List.of(1, 28, 28), models);
        steps.add(3);
        options.put("temperature", 2.0);
        assertThat(spec.options()).containsOnlyKeys("alpha");
        assertThat(((Map<?, ?>) spec.options().get("alpha")).get("at")).isEqualTo(List.of(1, 2));
        assertThat(spec.participantIds()).containsExactly("p01", "p00");
        assertThatThrownBy(() -> spec.options().put("x", 1))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesWhatDoesNotDescribeAFederationNamingIt() {
        Map<String, String> models = Map.of("p00", "mlp");
        assertThatThrownBy(() -> spec(1, Map.of(), List.of(1, 28, 28), models))
                .hasMessageContaining(
                        "version 1 is not supported (this fedistill reads version 2)");
        assertThatThrownBy(() -> spec(FederationSpec.VERSION, Map.of(), List.of(28, 28), models))
                .hasMessageContaining("inputShape must be three positive sizes");
        assertThatThrownBy(
                        () -> spec(FederationSpec.VERSION, Map.of(), List.of(1, 28, 28), Map.of()))
                .hasMessageContaining("models must name at least one participant");
        assertThatThrownBy(
                        () ->
                                spec(
                                        FederationSpec.VERSION,
                                        Map.of(),
                                        List.of(1, 28, 28),
                                        Map.of("p 0", "mlp")))
                .hasMessage(
                        "participant id must be 1-64 letters, digits, '.', '_' or '-', got 'p 0'");
        assertThatThrownBy(
                        () ->
                                spec(
                                        FederationSpec.VERSION,
                                        Map.of("alpha", new Object()),
                                        List.of(1, 28, 28),
                                        models))
                .hasMessageContaining("options.alpha holds a Object, not plain data");
        assertThatThrownBy(
                        () ->
                                new FederationSpec.PublicDataRef(
                                        "fashion-mnist",
                                        Optional.empty(),
                                        Optional.of(0),
                                        true,
                                        500,
                                        false,
                                        true,
                                        true))
                .hasMessageContaining("publicData.testLimit must be >= 1, got 0");
    }
}
