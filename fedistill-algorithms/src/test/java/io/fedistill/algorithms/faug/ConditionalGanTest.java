package io.fedistill.algorithms.faug;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConditionalGanTest {
    private static final int SIDE = 8;
    private static final int PIXELS = SIDE * SIDE;
    private static final int CLASSES = 3;

    /** Label 0 lights the top half, 1 the bottom half, 2 the left half. */
    private static boolean lit(int label, int pixel) {
        int row = pixel / SIDE;
        int column = pixel % SIDE;
        return switch (label) {
            case 0 -> row < SIDE / 2;
            case 1 -> row >= SIDE / 2;
            default -> column < SIDE / 2;
        };
    }

    /** A sample of a label: its half at 0.8, plus uniform noise up to 0.2 everywhere. */
    private static float[] sample(int label, Random random) {
        float[] image = new float[PIXELS];
        for (int p = 0; p < PIXELS; p++) {
            image[p] = (lit(label, p) ? 0.8f : 0f) + 0.2f * random.nextFloat();
        }
        return image;
    }

    /** The label whose expected sample is nearest the image at {@code offset}. */
    private static int nearestLabel(float[] images, int offset) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int label = 0; label < CLASSES; label++) {
            double distance = 0;
            for (int p = 0; p < PIXELS; p++) {
                double d = images[offset + p] - ((lit(label, p) ? 0.8 : 0) + 0.1);
                distance += d * d;
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = label;
            }
        }
        return best;
    }

    @Test
    void theGeneratorDrawsTheLabelItIsAskedFor() {
        Random random = new Random(3);
        int seeds = 60;
        float[] images = new float[seeds * PIXELS];
        int[] labels = new int[seeds];
        for (int i = 0; i < seeds; i++) {
            labels[i] = i % CLASSES;
            System.arraycopy(sample(labels[i], random), 0, images, i * PIXELS, PIXELS);
        }
        ConditionalGan gan = new ConditionalGan(PIXELS, CLASSES, 8, 32, 1f);
        ConditionalGan.Trained trained = gan.train(images, labels, 600, 32, 1e-3f, 5);
        assertThat(trained.labelSeparation()).isGreaterThan(0.5);
        TensorRecord generator = trained.generator();

        int per = 30;
        int[] asked = new int[per * CLASSES];
        for (int i = 0; i < asked.length; i++) {
            asked[i] = i % CLASSES;
        }
        float[] generated = gan.generate(generator, asked, 9);
        int right = 0;
        for (int i = 0; i < asked.length; i++) {
            if (nearestLabel(generated, i * PIXELS) == asked[i]) {
                right++;
            }
        }
        assertThat(right)
                .as("generated samples nearest their asked label's pattern")
                .isGreaterThanOrEqualTo(asked.length * 9 / 10);
    }

    @Test
    void labelSeparationIsZeroForOnePatternAndOneForTheRealImagesThemselves() {
        Random random = new Random(4);
        int images = 30;
        float[] real = new float[images * PIXELS];
        int[] labels = new int[images];
        for (int i = 0; i < images; i++) {
            labels[i] = i % CLASSES;
            System.arraycopy(sample(labels[i], random), 0, real, i * PIXELS, PIXELS);
        }
        float[] onePattern = new float[images * PIXELS];
        for (int i = 0; i < images; i++) {
            System.arraycopy(real, 0, onePattern, i * PIXELS, PIXELS);
        }
        assertThat(ConditionalGan.labelSeparation(onePattern, real, labels, CLASSES, PIXELS))
                .isZero();
        assertThat(ConditionalGan.labelSeparation(real, real, labels, CLASSES, PIXELS))
                .isEqualTo(1.0);
        assertThat(ConditionalGan.labelSeparation(real, real, new int[images], CLASSES, PIXELS))
                .as("one label")
                .isNaN();
    }
}
