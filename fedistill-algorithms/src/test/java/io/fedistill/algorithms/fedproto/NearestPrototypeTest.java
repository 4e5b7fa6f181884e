package io.fedistill.algorithms.fedproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.eval.EvaluationScore;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NearestPrototypeTest {
    private static final int CLASSES = 10;
    private static final int WIDTH = 8;
    private static ImageDataset data;
    private static ModelSession session;
    private static int[] samples;
    private static PerLabelMeans ownMeans;

    @BeforeAll
    static void setUp() {
        DatasetSplits splits = FashionMnist.sample();
        data = splits.train();
        samples = IntStream.range(0, 200).toArray();
        session =
                ModelSession.open(
                        ModelSpec.parse("mlp:32@" + WIDTH),
                        data.imageShape(),
                        CLASSES,
                        TrainingSettings.defaults(),
                        Optional.empty(),
                        5);
        TrainOutcome outcome =
                session.train(
                        data,
                        IntStream.range(200, 500).toArray(),
                        LocalObjective.crossEntropy(),
                        0);
        // the trained model's class means as training saw them: prototypes of its own
        ownMeans =
                PerLabelMeans.fromSums(
                        PerLabelMeans.FEATURES,
                        outcome.perLabelFeatureSums(),
                        outcome.perLabelCounts(),
                        WIDTH);
    }

    @AfterAll
    static void tearDown() {
        session.close();
    }

    /**
     * The score of each class by the definition: negative mean squared distance (+ the head's
     * log-softmax); minus infinity for a class without a prototype.
     */
    private static double[][] expectedScores(PerLabelMeans prototypes, boolean withHead) {
        float[][] features = session.features(data, samples);
        float[][] logits = session.predict(data, samples);
        double[][] scores = new double[samples.length][CLASSES];
        for (int i = 0; i < samples.length; i++) {
            double normalizer = 0;
            for (float v : logits[i]) {
                normalizer += Math.exp(v);
            }
            for (int c = 0; c < CLASSES; c++) {
                if (prototypes.counts()[c] == 0) {
                    scores[i][c] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double squares = 0;
                for (int k = 0; k < WIDTH; k++) {
                    double d = features[i][k] - prototypes.means()[c][k];
                    squares += d * d;
                }
                scores[i][c] =
                        -squares / WIDTH + (withHead ? logits[i][c] - Math.log(normalizer) : 0);
            }
        }
        return scores;
    }

    private static void assertScoresAsDefined(PerLabelMeans prototypes, boolean withHead) {
        double[][] scores = expectedScores(prototypes, withHead);
        int[] labels = data.labels(samples);
        int correct = 0;
        double loss = 0;
        int lossSamples = 0;
        for (int i = 0; i < samples.length; i++) {
            int best = 0;
            double normalizer = 0;
            for (int c = 0; c < CLASSES; c++) {
                best = scores[i][c] > scores[i][best] ? c : best;
                normalizer += Math.exp(scores[i][c]);
            }
            correct += best == labels[i] ? 1 : 0;
            if (prototypes.counts()[labels[i]] > 0) {
                loss += Math.log(normalizer) - scores[i][labels[i]];
                lossSamples++;
            }
        }
        EvaluationScore score =
                new NearestPrototype(prototypes, withHead).score(session, data, samples);
        assertThat(score.accuracy()).isEqualTo((double) correct / samples.length);
        assertThat(score.loss()).isCloseTo(loss / lossSamples, within(1e-4));
    }

    @Test
    void classifiesByTheNearestPrototypeAlone() {
        assertScoresAsDefined(ownMeans, false);
    }

    @Test
    void combinedWithTheHeadItMaximizesTheProductOfBothSoftmaxes() {
        assertScoresAsDefined(ownMeans, true);
        // the head's prior changes some answers: the two rules are not the same classifier
        double[][] alone = expectedScores(ownMeans, false);
        double[][] combined = expectedScores(ownMeans, true);
        long differing =
                IntStream.range(0, samples.length)
                        .filter(i -> argmax(alone[i]) != argmax(combined[i]))
                        .count();
        assertThat(differing).isPositive();
    }

    @Test
    void combinedNeverChoosesAClassWithoutAPrototypeWhateverTheHeadSays() {
        int[] firstFiveOnly = ownMeans.counts().clone();
        Arrays.fill(firstFiveOnly, 5, CLASSES, 0);
        PerLabelMeans partial =
                new PerLabelMeans(PerLabelMeans.FEATURES, ownMeans.means(), firstFiveOnly);
        assertScoresAsDefined(partial, true);
        assertThat(
                        new NearestPrototype(partial, true)
                                .score(session, data, samples)
                                .predictedClasses())
                .isLessThanOrEqualTo(5);
    }

    private static int argmax(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            best = row[c] > row[best] ? c : best;
        }
        return best;
    }
}
