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

    /** Answers FedDF's requests with fixed weights, recording what was asked of whom. */
    private static final class ScriptedFleet implements io.fedistill.core.fleet.Fleet {
        final List<String> online = new java.util.ArrayList<>();
        final List<String> asked = new java.util.ArrayList<>();
        private final io.fedistill.core.tensor.TensorRecord weights;

        ScriptedFleet(io.fedistill.core.tensor.TensorRecord weights) {
            this.weights = weights;
        }

        @Override
        public List<String> participantIds() {
            return List.copyOf(online);
        }

        @Override
        public io.fedistill.core.fleet.ExchangeResult exchange(
                List<io.fedistill.core.message.Message> requests,
                io.fedistill.core.validate.ReplySpec spec) {
            List<io.fedistill.core.message.Message> replies = new java.util.ArrayList<>();
            for (io.fedistill.core.message.Message request : requests) {
                asked.add(request.type().name() + ":" + request.participantId());
                replies.add(
                        request.type().equals(FedDfAlgorithm.ADOPT)
                                ? request.reply()
                                        .optMetrics(
                                                io.fedistill.core.message.Metrics.of("received", 1))
                                        .build()
                                : request.reply()
                                        .optTensors(
                                                io.fedistill.core.tensor.TensorRecord.builder()
                                                        .putAll(weights)
                                                        .put(
                                                                io.fedistill.algorithms.common
                                                                        .KnowledgeProtocol
                                                                        .LABEL_COUNTS,
                                                                io.fedistill.core.tensor.Tensor
                                                                        .zeros(10))
                                                        .build())
                                        .optMetrics(
                                                io.fedistill.core.message.Metrics.of(
                                                        "examples", 10))
                                        .build());
            }
            return new io.fedistill.core.fleet.ExchangeResult(replies, List.of(), List.of());
        }
    }

    @Test
    void aParticipantThatJoinsLateAdoptsTheFusedModelBeforeItTrains() {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        for (String id : List.of("p0", "p1", "p2")) {
            models.put(id, ModelSpec.parse("mlp:16"));
        }
        FederationSetup setup =
                new FederationSetup(
                        1,
                        new Shape(1, 28, 28),
                        10,
                        models,
                        TrainingSettings.defaults(),
                        Optional.of(
                                new PublicData(
                                        FashionMnist.sample().train(),
                                        java.util.stream.IntStream.range(0, 40).toArray(),
                                        false)));
        io.fedistill.algorithms.Algorithm feddf =
                AlgorithmRegistry.create("feddf", Map.of("subsetSize", 20, "maxEpochs", 1));
        io.fedistill.core.strategy.Strategy strategy = feddf.newStrategy(setup);
        ScriptedFleet fleet =
                new ScriptedFleet(
                        io.fedistill.algorithms.common.LocalModel.initialWeights(
                                setup, ModelSpec.parse("mlp:16")));
        fleet.online.addAll(List.of("p0", "p1"));
        strategy.runRound(
                new io.fedistill.core.strategy.RoundContext(1, 3, 1, List.of("p0", "p1")), fleet);
        org.assertj.core.api.Assertions.assertThat(fleet.asked)
                .containsExactly(
                        "feddf.train:p0", "feddf.train:p1", "feddf.adopt:p0", "feddf.adopt:p1");

        fleet.asked.clear();
        fleet.online.add("p2"); // joins after round 1
        strategy.runRound(
                new io.fedistill.core.strategy.RoundContext(2, 3, 1, List.of("p0", "p1", "p2")),
                fleet);
        org.assertj.core.api.Assertions.assertThat(fleet.asked.subList(0, 4))
                .containsExactly(
                        "feddf.adopt:p2", "feddf.train:p0", "feddf.train:p1", "feddf.train:p2");

        // restored from a checkpoint, it knows everybody holds the round-2 model
        io.fedistill.core.strategy.Strategy restored = feddf.newStrategy(setup);
        restored.restore(strategy.snapshot());
        fleet.asked.clear();
        restored.runRound(
                new io.fedistill.core.strategy.RoundContext(3, 3, 1, List.of("p0", "p1", "p2")),
                fleet);
        org.assertj.core.api.Assertions.assertThat(fleet.asked.get(0)).isEqualTo("feddf.train:p0");
    }
}
