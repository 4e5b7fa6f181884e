package io.fedistill.algorithms.feddf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import io.fedistill.algorithms.AlgorithmRegistry;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.TrainingSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FedDfAlgorithmTest {
    @Test
    void aParticipantWithoutAGroupIsAConfigErrorAndPublicDataIsRequired() {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("p0", ModelSpec.parse("mlp"));
        models.put("p1", ModelSpec.parse("cnn"));
        PublicData publicData =
                new PublicData(
                        FashionMnist.sample().train(),
                        java.util.stream.IntStream.range(0, 20).toArray(),
                        false);
        FederationSetup setup =
                new FederationSetup(
                        1,
                        new Shape(1, 28, 28),
                        10,
                        models,
                        TrainingSettings.defaults(),
                        Optional.of(publicData));
        assertThatThrownBy(
                        () ->
                                AlgorithmRegistry.create(
                                                "feddf",
                                                Map.of(
                                                        "groups",
                                                        List.of("mlp", "lenet"),
                                                        "subsetSize",
                                                        10))
                                        .validate(setup))
                .hasMessageContaining(
                        "participant p1's model cnn matches no declared group [mlp:200-200, lenet]");
        FederationSetup withoutPublic =
                new FederationSetup(
                        1,
                        new Shape(1, 28, 28),
                        10,
                        models,
                        TrainingSettings.defaults(),
                        Optional.empty());
        assertThatThrownBy(
                        () -> AlgorithmRegistry.create("feddf", Map.of()).validate(withoutPublic))
                .hasMessageContaining("declare publicData");
        assertThatThrownBy(() -> AlgorithmRegistry.create("feddf", Map.of()).validate(setup))
                .hasMessageContaining("subsetSize 1000 exceeds the public data's 20 samples");
    }
}
