package io.fedistill.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

class OwnedStateOptimizerTest {
    private static final int STEPS = 5;

    /** Applies STEPS updates with varying gradients to a copy of the same start; returns it. */
    private static float[] afterSteps(Optimizer optimizer, NDManager manager) {
        NDArray weight = manager.create(new float[] {0.5f, -1.25f, 2f, 0.01f}, new Shape(2, 2));
        for (int step = 0; step < STEPS; step++) {
            NDArray gradient =
                    manager.create(
                            new float[] {0.1f * step, -0.3f, 0.7f / (step + 1), 1e-3f},
                            new Shape(2, 2));
            optimizer.update("w", weight, gradient);
        }
        return weight.toFloatArray();
    }

    @Test
    void sgdWithMomentumStepsExactlyAsDjlsSgd() {
        TrainingSettings settings =
                new TrainingSettings(OptimizerKind.SGD, 0.05f, 0.9f, 8, 1, 1e-4f);
        try (NDManager manager = NDManager.newBaseManager();
                OwnedStateOptimizer owned = OwnedStateOptimizer.of(settings)) {
            Optimizer djl =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.05f))
                            .optMomentum(0.9f)
                            .optWeightDecays(1e-4f)
                            .build();
            assertThat(afterSteps(owned, manager)).containsExactly(afterSteps(djl, manager));
        }
    }

    @Test
    void adamStepsExactlyAsDjlsAdam() {
        TrainingSettings settings =
                new TrainingSettings(OptimizerKind.ADAM, 0.001f, 0f, 8, 1, 1e-4f);
        try (NDManager manager = NDManager.newBaseManager();
                OwnedStateOptimizer owned = OwnedStateOptimizer.of(settings)) {
            Optimizer djl =
                    Optimizer.adam()
                            .optLearningRateTracker(Tracker.fixed(0.001f))
                            .optWeightDecays(1e-4f)
                            .build();
            assertThat(afterSteps(owned, manager)).containsExactly(afterSteps(djl, manager));
        }
    }

    @Test
    void closingFreesTheMomentum() {
        TrainingSettings settings = new TrainingSettings(OptimizerKind.SGD, 0.05f, 0.9f, 8, 1, 0f);
        try (NDManager manager = NDManager.newBaseManager()) {
            OwnedStateOptimizer owned = OwnedStateOptimizer.of(settings);
            NDArray weight = manager.create(new float[] {1f, 2f});
            owned.update("w", weight, manager.create(new float[] {0.5f, 0.5f}));
            NDArray momentum = owned.stateOf("w")[0];
            assertThat(momentum.isReleased()).isFalse();
            owned.close();
            assertThat(momentum.isReleased()).isTrue();
        }
    }
}
