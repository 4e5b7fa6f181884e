package io.fedistill.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.fedistill.core.tensor.TensorRecord;
import org.junit.jupiter.api.Test;

class BlockTrainerTest {
    // plain SGD: the step is the gradient itself, so any gradient left over shows in the weights
    private static final TrainingSettings SGD =
            new TrainingSettings(OptimizerKind.SGD, 0.1f, 0f, 4, 1, 0f);
    private static final float[] INPUT = {0.5f, -1f, 2f, 0.25f, 1f, -0.5f};

    private static BlockTrainer linear(String name, int inputs, int outputs, long seed) {
        return BlockTrainer.create(
                name, Linear.builder().setUnits(outputs).build(), new Shape(1, inputs), SGD, seed);
    }

    /** One step of the critic on the squared sum of its outputs for a fixed input. */
    private static void criticStep(BlockTrainer critic) {
        critic.step(s -> s.forward(s.manager().create(INPUT, new Shape(2, 3))).square().sum(), 1);
    }

    @Test
    void aStepAppliesOnlyItsOwnGradientNotWhatAnotherTrainersStepLeftInTheBlock() {
        try (BlockTrainer critic = linear("critic", 3, 2, 7);
                BlockTrainer untouched = linear("critic", 3, 2, 7);
                BlockTrainer maker = linear("maker", 3, 3, 8)) {
            // the maker's step runs through the critic, as a GAN's generator step does
            maker.step(
                    s -> {
                        NDArray made = s.forward(s.manager().create(INPUT, new Shape(2, 3)));
                        return critic.forwardWithoutUpdate(s.manager(), made).sum().neg();
                    },
                    3);
            TensorRecord before = critic.weights();
            assertThat(before.names()).isNotEmpty();
            for (String name : before.names()) {
                assertThat(before.get(name).toFloatArray())
                        .as("%s starts equal", name)
                        .containsExactly(untouched.weights().get(name).toFloatArray());
            }

            criticStep(critic);
            criticStep(untouched);

            for (String name : critic.weights().names()) {
                assertThat(critic.weights().get(name).toFloatArray())
                        .as(name)
                        .containsExactly(untouched.weights().get(name).toFloatArray());
                assertThat(critic.weights().get(name).toFloatArray())
                        .as("%s moved", name)
                        .isNotEqualTo(before.get(name).toFloatArray());
            }
        }
    }
}
