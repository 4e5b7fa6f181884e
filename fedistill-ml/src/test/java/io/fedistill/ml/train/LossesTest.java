package io.fedistill.ml.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LossesTest {
    private static final double LN3 = Math.log(3);

    @Test
    void crossEntropyMatchesHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // logits (0, ln 3) give softmax (1/4, 3/4); label 1 costs -ln(3/4) = 0.2876821
            NDArray logits = m.create(new double[] {0, LN3}, new Shape(1, 2));
            NDArray labels = m.create(new long[] {1});
            assertThat(Losses.crossEntropy(logits, labels).getDouble())
                    .isCloseTo(0.2876821, within(1e-6));
        }
    }

    @Test
    void distillationMatchesHandComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = m.create(new double[] {0, LN3}, new Shape(1, 2));
            NDArray teacher = m.create(new double[] {0, 0}, new Shape(1, 2));
            NDArray labels = m.create(new long[] {1});
            NDArray present = m.create(new float[] {1});
            // T = 1: KL((1/2,1/2) || (1/4,3/4)) = 0.5 ln 2 + 0.5 ln(2/3) = 0.1438410;
            // 0.5 * 0.2876821 + 0.5 * 1 * 0.1438410 = 0.2157616
            assertThat(Losses.distillation(student, teacher, labels, present, 0.5f, 1f).getDouble())
                    .isCloseTo(0.2157616, within(1e-6));
            // T = 2: student softmax(0, ln3/2) = (0.3660254, 0.6339746);
            // KL = 0.5 ln(0.5/0.3660254) + 0.5 ln(0.5/0.6339746) = 0.0372523, times T^2 =
            // 0.1490091;
            // 0.25 * 0.2876821 + 0.75 * 0.1490091 = 0.1836774
            assertThat(
                            Losses.distillation(student, teacher, labels, present, 0.25f, 2f)
                                    .getDouble())
                    .isCloseTo(0.1836774, within(1e-6));
            // no teacher: plain cross-entropy
            assertThat(
                            Losses.distillation(
                                            student,
                                            teacher,
                                            labels,
                                            m.create(new float[] {0}),
                                            0.25f,
                                            2f)
                                    .getDouble())
                    .isCloseTo(0.2876821, within(1e-6));
        }
    }

    @Test
    void proximalTermMatchesHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1, 2});
            NDArray anchor = m.create(new float[] {0, 0});
            NDArray w2 = m.create(new float[] {3});
            NDArray anchor2 = m.create(new float[] {1});
            // 0.1 / 2 * ((1 + 4) + 4) = 0.45
            assertThat(
                            Losses.proximal(List.of(w, w2), List.of(anchor, anchor2), 0.1f, m)
                                    .getFloat())
                    .isCloseTo(0.45f, within(1e-6f));
        }
    }

    @Test
    void featureAlignmentMatchesHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray features = m.create(new float[] {1, 2, 0, 0, 5, 5}, new Shape(3, 2));
            NDArray targets = m.create(new float[] {0, 0, 3, 4, 0, 0}, new Shape(3, 2));
            // samples 0 and 1 have a target: (1 + 4) / 2 and (9 + 16) / 2 per dimension, mean 7.5;
            // sample 2 has none
            NDArray present = m.create(new float[] {1, 1, 0});
            assertThat(Losses.featureAlignment(features, targets, present).getFloat())
                    .isCloseTo(7.5f, within(1e-6f));
        }
    }

    @Test
    void marginContrastiveMatchesHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a prototype at (0, 0) of class 0; global prototypes (0, 0) and (3, 4): distances
            // 0 and 5, the own one raised by the margin 1, so logits (-1, -5) and a loss of
            // -ln(e^-1 / (e^-1 + e^-5)) = ln(1 + e^-4)
            NDArray prototypes = m.create(new double[] {0, 0}, new Shape(1, 2));
            NDArray global = m.create(new double[] {0, 0, 3, 4}, new Shape(2, 2));
            NDArray labels = m.create(new long[] {0});
            assertThat(Losses.marginContrastive(prototypes, labels, global, 1f).getDouble())
                    .isCloseTo(Math.log(1 + Math.exp(-4)), within(1e-5));
        }
    }

    @Test
    void marginContrastiveGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray prototypes =
                    m.create(new double[] {1.0, 0.2, -0.5, -0.3, 0.9, 0.4}, new Shape(2, 3));
            NDArray labels = m.create(new long[] {1, 0});
            checkGradient(
                    m,
                    new double[] {0.3, -1.2, 0.8, 1.5, 0.1, -0.4},
                    global -> Losses.marginContrastive(prototypes, labels, global, 0.5f));
        }
    }

    @Test
    void distillationGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] student = {0.3, -1.2, 0.8, 1.5, 0.1, -0.4};
            NDArray teacher =
                    m.create(new double[] {1.0, 0.2, -0.5, -0.3, 0.9, 0.4}, new Shape(2, 3));
            NDArray labels = m.create(new long[] {2, 0});
            NDArray present = m.create(new float[] {1, 1});
            checkGradient(
                    m, student, s -> Losses.distillation(s, teacher, labels, present, 0.3f, 3f));
        }
    }

    @Test
    void proximalGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] w = {0.5, -0.25, 2.0};
            NDArray anchor = m.create(new double[] {0.1, 0.2, -0.3});
            checkGradient(
                    m, w, x -> Losses.proximal(List.of(x.flatten()), List.of(anchor), 0.7f, m));
        }
    }

    private static void checkGradient(
            NDManager m, double[] point, Function<NDArray, NDArray> loss) {
        Shape shape = point.length == 6 ? new Shape(2, 3) : new Shape(point.length);
        NDArray x = m.create(point, shape);
        x.setRequiresGradient(true);
        double[] analytic;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.apply(x);
            collector.backward(value);
            analytic = x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        }
        double eps = 1e-5;
        for (int i = 0; i < point.length; i++) {
            double[] plus = point.clone();
            double[] minus = point.clone();
            plus[i] += eps;
            minus[i] -= eps;
            double numeric =
                    (loss.apply(m.create(plus, shape)).getDouble()
                                    - loss.apply(m.create(minus, shape)).getDouble())
                            / (2 * eps);
            assertThat(analytic[i]).as("gradient %d", i).isCloseTo(numeric, within(1e-6));
        }
    }
}
