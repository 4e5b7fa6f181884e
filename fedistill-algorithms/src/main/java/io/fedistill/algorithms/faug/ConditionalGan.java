package io.fedistill.algorithms.faug;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.model.FeatureGenerator;
import io.fedistill.ml.train.BlockTrainer;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Random;

/**
 * FAug's conditional GAN over flattened images with values in [0, 1]: a generator from noise and a
 * one-hot label through a hidden ReLU layer to sigmoid pixels, and a discriminator from pixels and
 * the one-hot label through a hidden ReLU layer to a real-or-fake logit. The coordinator trains it
 * on the seed samples; participants run the generator.
 *
 * @param pixels pixels per image
 * @param classes the number of labels
 * @param noiseWidth the generator's noise width
 * @param hiddenWidth both networks' hidden width
 */
record ConditionalGan(int pixels, int classes, int noiseWidth, int hiddenWidth) {

    Block generator() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hiddenWidth).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(pixels).build())
                .add(Activation.sigmoidBlock());
    }

    private Block discriminator() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hiddenWidth).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(1).build());
    }

    /** Generator inputs: uniform noise then the one-hot label, row-major. */
    float[] generatorInputs(int[] labels, Random random) {
        return FeatureGenerator.conditionalInputs(labels, random, noiseWidth, classes);
    }

    /**
     * Trains the GAN on labeled images and returns the generator's weights.
     *
     * @param images row-major images, {@code labels.length x pixels}
     * @param labels each image's label
     * @param steps alternating discriminator and generator steps
     * @param batch samples per step
     * @param learningRate Adam's step size for both
     * @param seed the seed of the initial weights and the draws
     */
    TensorRecord train(
            float[] images, int[] labels, int steps, int batch, float learningRate, long seed) {
        TrainingSettings adam =
                new TrainingSettings(OptimizerKind.ADAM, learningRate, 0f, batch, 1, 0f);
        Random random = new Random(seed);
        try (BlockTrainer g =
                        BlockTrainer.create(
                                "faug's generator",
                                generator(),
                                new Shape(1, noiseWidth + classes),
                                adam,
                                seed);
                BlockTrainer d =
                        BlockTrainer.create(
                                "faug's discriminator",
                                discriminator(),
                                new Shape(1, pixels + classes),
                                adam,
                                seed + 1)) {
            for (int step = 0; step < steps; step++) {
                int[] realLabels = new int[batch];
                float[] real = new float[batch * pixels];
                for (int i = 0; i < batch; i++) {
                    int pick = random.nextInt(labels.length);
                    realLabels[i] = labels[pick];
                    System.arraycopy(images, pick * pixels, real, i * pixels, pixels);
                }
                float[] noise = generatorInputs(realLabels, random);
                float[] fake =
                        g.infer(m -> m.create(noise, new Shape(batch, noiseWidth + classes)));
                d.step(
                        s -> {
                            NDManager m = s.manager();
                            NDArray onehot = oneHot(m, realLabels);
                            NDArray realScore =
                                    s.forward(
                                            m.create(real, new Shape(batch, pixels))
                                                    .concat(onehot, 1));
                            NDArray fakeScore =
                                    s.forward(
                                            m.create(fake, new Shape(batch, pixels))
                                                    .concat(onehot, 1));
                            return Losses.binaryCrossEntropyWithLogits(realScore, 1f)
                                    .add(Losses.binaryCrossEntropyWithLogits(fakeScore, 0f));
                        },
                        seed + step);
                float[] generatorNoise = generatorInputs(realLabels, random);
                g.step(
                        s -> {
                            NDManager m = s.manager();
                            NDArray generated =
                                    s.forward(
                                            m.create(
                                                    generatorNoise,
                                                    new Shape(batch, noiseWidth + classes)));
                            NDArray score =
                                    d.forwardWithoutUpdate(
                                            m, generated.concat(oneHot(m, realLabels), 1));
                            return Losses.binaryCrossEntropyWithLogits(score, 1f);
                        },
                        seed + step);
            }
            return g.weights();
        }
    }

    private NDArray oneHot(NDManager manager, int[] labels) {
        float[] values = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            values[i * classes + labels[i]] = 1;
        }
        return manager.create(values, new Shape(labels.length, classes));
    }

    /**
     * Generates one image per label with the given generator weights; row-major, values in [0, 1].
     */
    float[] generate(TensorRecord generatorWeights, int[] labels, long seed) {
        float[] inputs = generatorInputs(labels, new Random(seed));
        try (BlockTrainer g =
                BlockTrainer.create(
                        "faug's generator",
                        generator(),
                        new Shape(1, noiseWidth + classes),
                        TrainingSettings.defaults(),
                        0)) {
            g.loadWeights(generatorWeights);
            return g.infer(m -> m.create(inputs, new Shape(labels.length, noiseWidth + classes)));
        }
    }
}
