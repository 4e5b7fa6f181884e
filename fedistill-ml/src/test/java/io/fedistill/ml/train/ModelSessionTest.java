package io.fedistill.ml.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.eval.EvaluationScore;
import io.fedistill.ml.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelSessionTest {
    private static final DatasetSplits DATA = FashionMnist.sample();
    private static final TrainingSettings SETTINGS =
            new TrainingSettings(OptimizerKind.SGD, 0.05f, 0.9f, 32, 1, 0f);

    private static ModelSession open(
            String model, Optional<TensorRecord> weights, TrainingSettings settings) {
        ImageDataset train = DATA.train();
        return ModelSession.open(
                ModelSpec.parse(model),
                train.imageShape(),
                train.numClasses(),
                settings,
                weights,
                9);
    }

    @Test
    void trainingLearnsAndCountsLogitsPerLabel() {
        int[] indices = Arrays.copyOf(DATA.train().allIndices(), 2000);
        for (TrainingSettings settings :
                new TrainingSettings[] {
                    SETTINGS, new TrainingSettings(OptimizerKind.ADAM, 0.001f, 0f, 32, 1, 1e-4f)
                }) {
            try (ModelSession session = open("mlp:64", Optional.empty(), settings)) {
                EvaluationScore before = session.evaluate(DATA.test(), DATA.test().allIndices());
                TrainOutcome outcome =
                        session.train(DATA.train(), indices, LocalObjective.crossEntropy(), 1);
                EvaluationScore after = session.evaluate(DATA.test(), DATA.test().allIndices());
                assertThat(before.accuracy()).isLessThan(0.3);
                assertThat(after.accuracy()).as(settings.optimizer().name()).isGreaterThan(0.6);
                assertThat(after.predictedClasses()).isGreaterThan(5);
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

    private static TensorRecord trained(ModelSession session, int seed) {
        session.train(
                DATA.train(),
                Arrays.copyOf(DATA.train().allIndices(), 96),
                LocalObjective.crossEntropy(),
                seed);
        return session.weights();
    }

    @Test
    void aStepBudgetTrainsExactlyThatManyBatchesThroughReshuffledPasses() {
        // 7 steps of 32 over 100 samples: a pass is 32, 32, 32 and 4, so 7 steps take one pass
        // and three batches of the next; every trained sample is counted
        TrainingSettings steps =
                new TrainingSettings(OptimizerKind.SGD, 0.05f, 0.9f, 32, 1, 0f, 0f, 7);
        try (ModelSession session = open("mlp:16", Optional.empty(), steps)) {
            TrainOutcome outcome =
                    session.train(
                            DATA.train(),
                            Arrays.copyOf(DATA.train().allIndices(), 100),
                            LocalObjective.crossEntropy(),
                            2);
            assertThat(Arrays.stream(outcome.perLabelCounts()).sum()).isEqualTo(100 + 3 * 32);
        }
    }

    @Test
    void aReusedNetworkTrainsAsAFreshOneAndOpenSessionsAreIndependent() {
        TensorRecord initial;
        TensorRecord alone;
        try (ModelSession session = open("mlp:48", Optional.empty(), SETTINGS)) {
            initial = session.weights();
            alone = trained(session, 5);
        }
        // other weights, other training and two sessions of the architecture open at once leave
        // nothing behind in the pooled networks
        try (ModelSession other = open("mlp:48", Optional.of(alone), SETTINGS);
                ModelSession concurrent = open("mlp:48", Optional.of(initial), SETTINGS)) {
            trained(other, 6);
            assertThat(trained(concurrent, 5)).isEqualTo(alone);
            assertThat(other.weights()).isNotEqualTo(alone);
        }
        try (ModelSession again = open("mlp:48", Optional.of(initial), SETTINGS)) {
            assertThat(trained(again, 5)).isEqualTo(alone);
        }
        assertThat(
                        ModelSession.initialWeights(
                                ModelSpec.parse("mlp:48"), DATA.train().imageShape(), 10, 9))
                .isEqualTo(initial);
    }

    @Test
    void weightsRoundTripAndSameSeedSameModel() {
        TensorRecord first;
        try (ModelSession session = open("lenet", Optional.empty(), SETTINGS)) {
            session.train(
                    DATA.train(),
                    Arrays.copyOf(DATA.train().allIndices(), 256),
                    LocalObjective.crossEntropy(),
                    3);
            first = session.weights();
        }
        try (ModelSession again = open("lenet", Optional.empty(), SETTINGS)) {
            again.train(
                    DATA.train(),
                    Arrays.copyOf(DATA.train().allIndices(), 256),
                    LocalObjective.crossEntropy(),
                    3);
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
            LocalObjective objective =
                    LocalObjective.crossEntropy()
                            .withLabelTeacher(teacher, 0.5f, 2f)
                            .withProximalTerm(anchor, 0.1f);
            TrainOutcome outcome = session.train(DATA.train(), indices, objective, 5);
            assertThat(outcome.meanLoss()).isFinite().isPositive();
            assertThat(session.weights()).isNotEqualTo(anchor);
        }
    }

    /**
     * Every objective, and the one zoo network with a clipping activation, trains to the same
     * weights while another thread keeps collecting garbage: no constant the autograd graph keeps
     * may borrow memory a collection can free (DJL's {@code mul(Number)} and {@code relu6} do).
     */
    @Test
    void trainingIsRepeatableWhileTheGarbageCollectorRuns() throws InterruptedException {
        int[] indices = Arrays.copyOf(DATA.train().allIndices(), 256);
        float[][] labelTeacher = new float[10][10];
        float[][] featureTeacher = new float[10][32];
        float[][] softTargets = new float[indices.length][10];
        for (int c = 0; c < 10; c++) {
            labelTeacher[c][c] = 4f;
            Arrays.fill(featureTeacher[c], c / 10f);
        }
        for (float[] row : softTargets) {
            Arrays.fill(row, 0.1f);
        }
        TensorRecord anchor;
        try (ModelSession session = open("mlp:32", Optional.empty(), SETTINGS)) {
            anchor = session.weights();
        }
        LocalObjective everyTerm =
                LocalObjective.crossEntropy()
                        .withLabelTeacher(labelTeacher, 0.5f, 2f)
                        .withFeatureTeacher(featureTeacher, 0.5f)
                        .withProximalTerm(anchor, 0.1f);
        Thread collector =
                new Thread(
                        () -> {
                            try {
                                while (true) {
                                    System.gc();
                                    Thread.sleep(1);
                                }
                            } catch (InterruptedException e) {
                                // the test is over
                            }
                        });
        collector.setDaemon(true);
        collector.start();
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                List<TensorRecord> trained = new ArrayList<>();
                for (int run = 0; run < 2; run++) {
                    try (ModelSession session = open("mlp:32", Optional.empty(), SETTINGS)) {
                        session.train(DATA.train(), indices, everyTerm, 3);
                        session.distill(DATA.train(), indices, softTargets, 2f, 1, 0.5f, 4);
                        trained.add(session.weights());
                    }
                }
                for (int run = 0; run < 2; run++) {
                    try (ModelSession session = open("mobilenetv2", Optional.empty(), SETTINGS)) {
                        session.train(
                                DATA.train(),
                                Arrays.copyOf(indices, 48),
                                LocalObjective.crossEntropy(),
                                3);
                        trained.add(session.weights());
                    }
                }
                assertThat(trained.get(1)).as("mlp, attempt %d", attempt).isEqualTo(trained.get(0));
                assertThat(trained.get(3))
                        .as("mobilenetv2, attempt %d", attempt)
                        .isEqualTo(trained.get(2));
            }
        } finally {
            collector.interrupt();
            collector.join();
        }
    }

    @Test
    void aModelWhoseUnitsAllDiedIsReportedAsIgnoringItsInput() {
        int[] indices = Arrays.copyOf(DATA.train().allIndices(), 128);
        TensorRecord dead;
        try (ModelSession session = open("mlp:32", Optional.empty(), SETTINGS)) {
            assertThat(
                            session.train(DATA.train(), indices, LocalObjective.crossEntropy(), 1)
                                    .inputIgnored())
                    .isFalse();
            // hidden biases so negative that no pixel can lift a unit above zero: every ReLU is
            // dead
            TensorRecord.Builder killed = TensorRecord.builder();
            session.weights()
                    .asMap()
                    .forEach(
                            (name, tensor) -> {
                                boolean hiddenBias = name.endsWith("bias") && tensor.size() == 32;
                                float[] values = tensor.toFloatArray();
                                if (hiddenBias) {
                                    Arrays.fill(values, -1000f);
                                }
                                killed.put(name, Tensor.of(tensor.shape(), values));
                            });
            dead = killed.build();
        }
        try (ModelSession session = open("mlp:32", Optional.of(dead), SETTINGS)) {
            assertThat(
                            session.train(DATA.train(), indices, LocalObjective.crossEntropy(), 1)
                                    .inputIgnored())
                    .isTrue();
            // evaluation shows it too: one class predicted for a test set holding all ten
            assertThat(session.evaluate(DATA.test(), DATA.test().allIndices()).predictedClasses())
                    .isEqualTo(1);
        }
    }

    @Test
    void gradientClippingBoundsTheStep() {
        // one plain SGD step over 32 samples: the weights move by lr times the (clipped) gradient
        int[] indices = Arrays.copyOf(DATA.train().allIndices(), 32);
        TrainingSettings plain = new TrainingSettings(OptimizerKind.SGD, 0.1f, 0f, 32, 1, 0f);
        TrainingSettings clipped =
                new TrainingSettings(OptimizerKind.SGD, 0.1f, 0f, 32, 1, 0f, 0.05f);
        double[] moved = new double[2];
        TensorRecord start;
        try (ModelSession session = open("mlp:32", Optional.empty(), plain)) {
            start = session.weights();
        }
        TrainingSettings[] settings = {plain, clipped};
        for (int i = 0; i < 2; i++) {
            try (ModelSession session = open("mlp:32", Optional.of(start), settings[i])) {
                session.train(DATA.train(), indices, LocalObjective.crossEntropy(), 3);
                moved[i] = distance(start, session.weights());
            }
        }
        assertThat(moved[0]).as("unclipped step").isGreaterThan(0.1 * 0.05 * 4);
        assertThat(moved[1]).as("clipped step").isCloseTo(0.1 * 0.05, within(1e-5));
    }

    private static double distance(TensorRecord a, TensorRecord b) {
        double squares = 0;
        for (String name : a.names()) {
            float[] x = a.get(name).toFloatArray();
            float[] y = b.get(name).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                squares += (x[i] - y[i]) * (double) (x[i] - y[i]);
            }
        }
        return Math.sqrt(squares);
    }

    @Test
    void wrongWeightsAreRefusedByName() {
        TensorRecord wrong = TensorRecord.of("nonsense", Tensor.zeros(3));
        assertThatThrownBy(() -> open("mlp:32", Optional.of(wrong), SETTINGS))
                .hasMessageContaining("weights hold 1 tensors");
    }
}
