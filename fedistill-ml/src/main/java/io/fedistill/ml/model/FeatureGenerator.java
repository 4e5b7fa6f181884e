package io.fedistill.ml.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.Random;

/**
 * FedGen's conditional generator in feature space: noise concatenated with a one-hot label goes
 * through a hidden ReLU layer to a feature vector as wide as the participants' features. The same
 * block is trained on the coordinator and run by the participants.
 *
 * @param noiseWidth the noise's width
 * @param classes the number of labels
 * @param hiddenWidth the hidden layer's width
 * @param featureWidth the generated features' width
 */
public record FeatureGenerator(int noiseWidth, int classes, int hiddenWidth, int featureWidth) {
    /** Checks the widths. */
    public FeatureGenerator {
        if (noiseWidth < 1 || classes < 1 || hiddenWidth < 1 || featureWidth < 1) {
            throw new IllegalArgumentException(
                    "generator widths must be >= 1, got noise "
                            + noiseWidth
                            + ", classes "
                            + classes
                            + ", hidden "
                            + hiddenWidth
                            + ", features "
                            + featureWidth);
        }
    }

    /**
     * Returns a new, uninitialized block (typed as a {@code Block}, so that classes passing it on
     * need no DJL class to be verified, as the DJL-free coordinator's registry loads them).
     */
    public Block block() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hiddenWidth).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(featureWidth).build());
    }

    /** Returns the shape of one batch of {@code n} inputs, for initialization. */
    public Shape inputShape(int n) {
        return new Shape(n, noiseWidth + classes);
    }

    /**
     * Returns the inputs for the given labels, row-major {@code (labels.length, noise + classes)}:
     * uniform noise in [0, 1) drawn from {@code random}, then the one-hot label.
     */
    public float[] inputs(int[] labels, Random random) {
        return conditionalInputs(labels, random, noiseWidth, classes);
    }

    /**
     * Returns a conditional generator's inputs, row-major {@code (labels.length, noiseWidth +
     * classes)}: uniform noise in [0, 1) drawn from {@code random}, then the one-hot label
     * (FedGen's feature generator, FAug's image generator).
     */
    public static float[] conditionalInputs(
            int[] labels, Random random, int noiseWidth, int classes) {
        int width = noiseWidth + classes;
        float[] out = new float[labels.length * width];
        for (int i = 0; i < labels.length; i++) {
            for (int k = 0; k < noiseWidth; k++) {
                out[i * width + k] = random.nextFloat();
            }
            out[i * width + noiseWidth + labels[i]] = 1;
        }
        return out;
    }

    /** Draws {@code n} labels with probability proportional to {@code counts}. */
    public static int[] sampleLabels(float[] counts, int n, Random random) {
        double total = 0;
        for (float c : counts) {
            total += Math.max(0, c);
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("no label has a positive count to sample from");
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble() * total;
            int label = 0;
            while (label < counts.length - 1 && u >= Math.max(0, counts[label])) {
                u -= Math.max(0, counts[label]);
                label++;
            }
            out[i] = label;
        }
        return out;
    }
}
