package io.fedistill.algorithms.faug;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.model.FeatureGenerator;
import io.fedistill.ml.train.BlockTrainer;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Random;

/**
 * FAug's conditional GAN over flattened images with values in [0, 1], trained by the coordinator on
 * the seed samples and run by the participants.
 *
 * <p>The generator maps noise in [-1, 1) and the one-hot label through two leaky-ReLU layers
 * ({@code hiddenWidth}, then twice as wide) to sigmoid pixels. The discriminator reads the pixels
 * with the one-hot label through a leaky-ReLU layer and dropout, and answers a real-or-fake logit
 * and, when {@code classifierWeight} is above 0, the label's logits as well: an auxiliary
 * classifier (after AC-GAN, Odena et al. 2017, whose discriminator is not given the label) that
 * both networks also train for; it makes the samples show their label more often (docs/RESULTS.md)
 * but, as the label is in its input, its answers are no check of the samples. Real samples are
 * scored against 0.9, not 1 (one-sided label smoothing, Salimans et al. 2016). Without these, on
 * the few hundred seeds FAug gathers, the discriminator wins within a few hundred steps and the
 * generator collapses to one pattern whatever its label.
 *
 * @param pixels pixels per image
 * @param classes the number of labels
 * @param noiseWidth the generator's noise width
 * @param hiddenWidth the discriminator's and the generator's first hidden width
 * @param classifierWeight the weight of the auxiliary classifier's cross-entropy in both losses (0:
 *     a plain conditional GAN)
 */
public record ConditionalGan(
        int pixels, int classes, int noiseWidth, int hiddenWidth, float classifierWeight) {
    /** FAug's default training steps. */
    public static final int DEFAULT_STEPS = 10_000;

    /** FAug's default samples per step. */
    public static final int DEFAULT_BATCH = 64;

    /** FAug's default Adam step size. */
    public static final double DEFAULT_LEARNING_RATE = 2e-4;

    /** FAug's default noise width. */
    public static final int DEFAULT_NOISE_WIDTH = 64;

    /** FAug's default first hidden width. */
    public static final int DEFAULT_HIDDEN_WIDTH = 256;

    private static final float LEAK = 0.2f;
    private static final float DISCRIMINATOR_DROPOUT = 0.3f;
    private static final float REAL_TARGET = 0.9f;

    Block generator() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hiddenWidth).build())
                .add(Activation.leakyReluBlock(LEAK))
                .add(Linear.builder().setUnits(2L * hiddenWidth).build())
                .add(Activation.leakyReluBlock(LEAK))
                .add(Linear.builder().setUnits(pixels).build())
                .add(Activation.sigmoidBlock());
    }

    private Block discriminator() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hiddenWidth).build())
                .add(Activation.leakyReluBlock(LEAK))
                .add(Dropout.builder().optRate(DISCRIMINATOR_DROPOUT).build())
                .add(Linear.builder().setUnits(1L + classes).build());
    }

    /** Generator inputs: uniform noise in [-1, 1) then the one-hot label, row-major. */
    float[] generatorInputs(int[] labels, Random random) {
        float[] inputs = FeatureGenerator.conditionalInputs(labels, random, noiseWidth, classes);
        int width = noiseWidth + classes;
        for (int i = 0; i < labels.length; i++) {
            for (int k = 0; k < noiseWidth; k++) {
                inputs[i * width + k] = 2 * inputs[i * width + k] - 1;
            }
        }
        return inputs;
    }

    /**
     * A trained generator with a check of it.
     *
     * @param generator the generator's weights
     * @param labelSeparation how far apart the generator's samples of different labels are, against
     *     how far apart the training images of those labels are: the mean distance between the
     *     per-label mean images, generated over real (one sample generated per training image).
     *     Near 0 the generator draws the same whatever the label (a collapse); near 1 its labels
     *     differ as much as the real ones do on average, which does not prove realistic samples.
     */
    public record Trained(TensorRecord generator, double labelSeparation) {}

    /**
     * Trains the GAN on labeled images; returns the generator's weights and its label separation.
     *
     * @param images row-major images, {@code labels.length x pixels}
     * @param labels each image's label
     * @param steps alternating discriminator and generator steps
     * @param batch samples per step
     * @param learningRate Adam's step size for both
     * @param seed the seed of the initial weights and the draws
     */
    public Trained train(
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
                int[] batchLabels = new int[batch];
                float[] real = new float[batch * pixels];
                for (int i = 0; i < batch; i++) {
                    int pick = random.nextInt(labels.length);
                    batchLabels[i] = labels[pick];
                    System.arraycopy(images, pick * pixels, real, i * pixels, pixels);
                }
                float[] noise = generatorInputs(batchLabels, random);
                float[] fake =
                        g.infer(m -> m.create(noise, new Shape(batch, noiseWidth + classes)));
                d.step(
                        s -> {
                            NDManager m = s.manager();
                            NDArray realLoss =
                                    loss(
                                            s.forward(conditioned(m, real, batchLabels)),
                                            REAL_TARGET,
                                            batchLabels);
                            NDArray fakeLoss =
                                    loss(
                                            s.forward(conditioned(m, fake, batchLabels)),
                                            0f,
                                            batchLabels);
                            return realLoss.add(fakeLoss);
                        },
                        seed + step);
                float[] generatorNoise = generatorInputs(batchLabels, random);
                g.step(
                        s -> {
                            NDManager m = s.manager();
                            NDArray generated =
                                    s.forward(
                                            m.create(
                                                    generatorNoise,
                                                    new Shape(batch, noiseWidth + classes)));
                            NDArray judged =
                                    d.forwardWithoutUpdate(
                                            m, generated.concat(oneHot(m, batchLabels), 1));
                            return loss(judged, 1f, batchLabels);
                        },
                        seed + step);
            }
            float[] noise = generatorInputs(labels, random);
            float[] generated =
                    g.infer(m -> m.create(noise, new Shape(labels.length, noiseWidth + classes)));
            return new Trained(
                    g.weights(), labelSeparation(generated, images, labels, classes, pixels));
        }
    }

    /**
     * The mean distance between the per-label mean images of {@code generated}, over the same for
     * {@code real}; both row-major with one label per image. NaN with fewer than two labels, or
     * when the real labels' means coincide.
     */
    static double labelSeparation(
            float[] generated, float[] real, int[] labels, int classes, int pixels) {
        double[][] generatedMeans = labelMeans(generated, labels, classes, pixels);
        double[][] realMeans = labelMeans(real, labels, classes, pixels);
        double generatedDistance = 0;
        double realDistance = 0;
        int pairs = 0;
        for (int a = 0; a < classes; a++) {
            for (int b = a + 1; b < classes; b++) {
                if (realMeans[a] != null && realMeans[b] != null) {
                    generatedDistance += distance(generatedMeans[a], generatedMeans[b]);
                    realDistance += distance(realMeans[a], realMeans[b]);
                    pairs++;
                }
            }
        }
        return pairs == 0 || realDistance == 0 ? Double.NaN : generatedDistance / realDistance;
    }

    /** Each label's mean image; null for a label no image has. */
    private static double[][] labelMeans(float[] images, int[] labels, int classes, int pixels) {
        double[][] means = new double[classes][];
        int[] counts = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            if (means[labels[i]] == null) {
                means[labels[i]] = new double[pixels];
            }
            counts[labels[i]]++;
            for (int p = 0; p < pixels; p++) {
                means[labels[i]][p] += images[i * pixels + p];
            }
        }
        for (int c = 0; c < classes; c++) {
            if (means[c] != null) {
                for (int p = 0; p < pixels; p++) {
                    means[c][p] /= counts[c];
                }
            }
        }
        return means;
    }

    private static double distance(double[] a, double[] b) {
        double squares = 0;
        for (int p = 0; p < a.length; p++) {
            squares += (a[p] - b[p]) * (a[p] - b[p]);
        }
        return Math.sqrt(squares);
    }

    /** Images with their one-hot labels appended, the discriminator's input. */
    private NDArray conditioned(NDManager manager, float[] images, int[] labels) {
        return manager.create(images, new Shape(labels.length, pixels))
                .concat(oneHot(manager, labels), 1);
    }

    /**
     * The discriminator's output scored against a real-or-fake target, plus the weighted
     * cross-entropy of its label logits against the labels.
     */
    private NDArray loss(NDArray judged, float target, int[] labels) {
        NDArray loss = Losses.binaryCrossEntropyWithLogits(judged.get(":, 0"), target);
        if (classifierWeight == 0) {
            return loss;
        }
        NDArray classified =
                Losses.crossEntropy(judged.get(":, 1:"), judged.getManager().create(labels));
        return loss.add(Losses.scaled(classified, classifierWeight));
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
    public float[] generate(TensorRecord generatorWeights, int[] labels, long seed) {
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
