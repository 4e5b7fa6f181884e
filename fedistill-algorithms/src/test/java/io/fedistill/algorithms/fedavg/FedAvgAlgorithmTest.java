package io.fedistill.algorithms.fedavg;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.model.ClassifierNetwork;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.partition.ParticipantSplit;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FedAvgAlgorithmTest {
    /** Builds and initializes a network of its own from the seed, as no pool or cache does. */
    private static TensorRecord freshlyInitialized(ModelSpec spec, DatasetSplits data, long seed) {
        ClassifierNetwork network = ModelZoo.build(spec, data.train().imageShape(), 10);
        try (Model model = Model.newInstance("fresh")) {
            model.setBlock(network.network());
            Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
            network.network()
                    .initialize(
                            model.getNDManager(),
                            DataType.FLOAT32,
                            new Shape(1).addAll(data.train().imageShape()));
            TensorRecord.Builder out = TensorRecord.builder();
            for (Pair<String, Parameter> p : network.network().getParameters()) {
                NDArray array = p.getValue().getArray();
                out.put(
                        p.getKey(),
                        Tensor.of(
                                Arrays.stream(array.getShape().getShape())
                                        .mapToInt(Math::toIntExact)
                                        .toArray(),
                                array.toFloatArray()));
            }
            return out.build().withRole(TensorRole.WEIGHTS);
        }
    }

    @Test
    void aParticipantsInitialWeightsAreTheGlobalModelACoordinatorWithModelCodeStartsFrom() {
        DatasetSplits data = FashionMnist.sample();
        TrainingSettings training = TrainingSettings.defaults();
        for (String model : new String[] {"mlp:32", "lenet"}) {
            ModelSpec spec = ModelSpec.parse(model);
            ParticipantSetup setup =
                    new ParticipantSetup(
                            "p01",
                            spec,
                            data.train(),
                            new ParticipantSplit("p01", new int[] {0, 1, 2}, new int[] {3}),
                            Optional.of(data.test()),
                            training,
                            Optional.empty());
            Learner learner = FedAvgAlgorithm.fromOptions(Map.of()).newLearner(setup, 17);
            Message reply =
                    learner.handle(
                            Message.builder(1, MessageType.of("fedavg", "init"), "p01").build(),
                            new ParticipantContext(
                                    "p01",
                                    17,
                                    new StateStore(Codec.fp32()).open("p01", "request", 1)));
            FederationSetup federation =
                    new FederationSetup(
                            17,
                            data.train().imageShape(),
                            10,
                            Map.of("p00", spec, "p01", spec),
                            training,
                            Optional.empty());
            assertThat(reply.tensors())
                    .as(model)
                    .isEqualTo(LocalModel.initialWeights(federation, spec))
                    .isEqualTo(
                            freshlyInitialized(
                                    spec, data, Seeds.derive(17, 0, "", "init:" + spec)));
        }
    }
}
