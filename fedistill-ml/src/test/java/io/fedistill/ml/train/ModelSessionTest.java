package io.fedistill.ml.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.eval.EvaluationScore;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelSessionTest {
    private static final DatasetSplits DATA = FashionMnist.sample();
    private static final TrainingSettings SETTINGS = new TrainingSettings(OptimizerKind.SGD, 0.05f, 0.9f, 32, 1, 0f);

    private static ModelSession open(String model, Optional<TensorRecord> weights, TrainingSettings settings) {
        ImageDataset train = DATA.train();
        return ModelSession.open(ModelZoo.build(ModelSpec.parse(model), train.imageShape(), train.numClasses()),
                train.imageShape(), settings, weights, 9);
    }

    @Test
    void trainingLearnsAndCountsLogitsPerLabel() {
        int[] indices = Arrays.copyOf(DATA.train().allIndices(), 2000);
        for (TrainingSettings settings : new TrainingSettings[] {SETTINGS,
                new TrainingSettings(OptimizerKind.ADAM, 0.001f, 0f, 32, 1, 1e-4f)}) {
            try (ModelSession session = open("mlp:64", Optional.empty(), settings)) {
                EvaluationScore before = session.evaluate(DATA.test(), DATA.test().allIndices());
                TrainOutcome outcome = session.train(DATA.train(), indices, LocalObjective.crossEntropy(), 1);
                EvaluationScore after = session.evaluate(DATA.test(), DATA.test().allIndices());
                assertThat(before.accuracy()).isLessThan(0.3);
                assertThat(after.accuracy()).as(settings.optimizer().name()).isGreaterThan(0.6);
                assertThat(after.loss()).isLessThan(before.loss());
                assertThat(Arrays.stream(outcome.perLabelCounts()).sum()).isEqualTo(2000);
                int[] expected = new int[10];
                for (int i : indices) {
                    expected[DATA.train().label(i)]++;
                }
                assertThat(outcome.perLabelCounts()).containsExactly(expected);
            }
        }
    }

    @Test
    void weightsRoundTripAndSameSeedSameModel() {
        TensorRecord first;
        try (ModelSession session = open("lenet", Optional.empty(), SETTINGS)) {
            session.train(DATA.train(), Arrays.copyOf(DATA.train().allIndices(), 256), LocalObjective.crossEntropy(), 3);
            first = session.weights();
        }
        try (ModelSession again = open("lenet", Optional.empty(), SETTINGS)) {
            again.train(DATA.train(), Arrays.copyOf(DATA.train().allIndices(), 256), LocalObjective.crossEntropy(), 3);
            assertThat(again.weights()).isEqualTo(first);
        }
        try (ModelSession loaded = open("lenet", Optional.of(first), SETTINGS)) {
            assertThat(loaded.weights()).isEqualTo(first);
        }
    }

    @Test
    void distillationAndProximalObjectivesTrain() {
        int[] indices = Arrays.copyOf(DATA.train().allIndices(), 512);
        float[][] teacher = new float[10][];
        teacher[0] = new float[] {5, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        TensorRecord anchor;
        try (ModelSession session = open("mlp:32", Optional.empty(), SETTINGS)) {
            anchor = session.weights();
            LocalObjective objective = LocalObjective.crossEntropy().withLabelTeacher(teacher, 0.5f, 2f)
                    .withProximalTerm(anchor, 0.1f);
            TrainOutcome outcome = session.train(DATA.train(), indices, objective, 5);
            assertThat(outcome.meanLoss()).isFinite().isPositive();
            assertThat(session.weights()).isNotEqualTo(anchor);
        }
    }

    @Test
    void wrongWeightsAreRefusedByName() {
        TensorRecord wrong = TensorRecord.of("nonsense", Tensor.zeros(3));
        assertThatThrownBy(() -> open("mlp:32", Optional.of(wrong), SETTINGS))
                .hasMessageContaining("weights hold 1 tensors");
    }
}
