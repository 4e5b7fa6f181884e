package io.fedistill.algorithms.fedtgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.algorithms.common.RowClipping;
import io.fedistill.algorithms.fedproto.PrototypeAggregator;
import io.fedistill.algorithms.fedproto.PrototypeUpload;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainablePrototypesTest {
    private static final int CLASSES = 10;
    private static final int WIDTH = 128;

    /** Class centres drawn from N(0, 1), as the tests' participants' prototypes scatter around. */
    private static float[][] centres(Random random) {
        float[][] centres = new float[CLASSES][WIDTH];
        for (float[] centre : centres) {
            for (int k = 0; k < WIDTH; k++) {
                centre[k] = (float) random.nextGaussian();
            }
        }
        return centres;
    }

    /**
     * Uploads of {@code participants} holding every class, each prototype its class's centre plus
     * N(0, 0.1) noise; the first {@code attackers} multiply theirs by {@code attack}.
     */
    private static List<PrototypeUpload> uploads(
            float[][] centres, int participants, int attackers, float attack, Random random) {
        List<PrototypeUpload> uploads = new ArrayList<>();
        for (int p = 0; p < participants; p++) {
            float[][] means = new float[CLASSES][WIDTH];
            int[] counts = new int[CLASSES];
            for (int c = 0; c < CLASSES; c++) {
                for (int k = 0; k < WIDTH; k++) {
                    means[c][k] = centres[c][k] + 0.1f * (float) random.nextGaussian();
                    means[c][k] *= p < attackers ? attack : 1;
                }
                counts[c] = 5;
            }
            uploads.add(
                    PrototypeUpload.fromRecord(
                            PrototypeUpload.toRecord(
                                    new PerLabelMeans(PerLabelMeans.FEATURES, means, counts))));
        }
        return uploads;
    }

    private static List<ParticipantWeighting.Contribution> contributions(int participants) {
        return Collections.nCopies(
                participants,
                new ParticipantWeighting.Contribution(50, new double[CLASSES], Double.NaN));
    }

    private static TrainablePrototypes aggregator(RobustAggregation robust) {
        return new TrainablePrototypes(
                new TrainablePrototypes.Settings(100, 0.01f, 10, 0, 100f),
                robust,
                CLASSES,
                WIDTH,
                3);
    }

    /** Asserts that each class's generated prototype lies nearest that class's centre. */
    private static void assertNearestTheirOwnCentres(float[][] prototypes, float[][] centres) {
        for (int c = 0; c < CLASSES; c++) {
            int nearest = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int other = 0; other < CLASSES; other++) {
                double distance = 0;
                for (int k = 0; k < WIDTH; k++) {
                    double d = prototypes[c][k] - centres[other][k];
                    distance += d * d;
                }
                if (distance < best) {
                    best = distance;
                    nearest = other;
                }
            }
            assertThat(nearest).as("class %d's prototype", c).isEqualTo(c);
        }
    }

    @Test
    void classesStartFromAnEmbeddingTableAndEndNearestTheirOwnUploads() {
        // three participants whose prototypes of each class scatter around a class centre
        Random random = new Random(5);
        float[][] centres = centres(random);
        List<PrototypeUpload> uploads = uploads(centres, 3, 0, 1, random);
        List<ParticipantWeighting.Contribution> contributions = contributions(3);
        TrainablePrototypes aggregator = aggregator(RobustAggregation.mean());

        PrototypeAggregator.Result result = aggregator.aggregate(1, uploads, contributions);

        // the one-hot embedding is drawn from N(0, 1), as an embedding table is: after a round of
        // small steps its spread is still about 1 (DJL's Xavier default would give about 0.17)
        TensorRecord weights = aggregator.snapshot();
        Tensor embedding =
                weights.names().stream()
                        .map(weights::get)
                        .filter(t -> t.hasShape(new int[] {WIDTH, CLASSES}))
                        .findFirst()
                        .orElseThrow();
        double squares = 0;
        for (float v : embedding.toFloatArray()) {
            squares += v * v;
        }
        assertThat(Math.sqrt(squares / embedding.size())).isBetween(0.8, 1.2);
        assertNearestTheirOwnCentres(result.prototypes().means(), centres);
        assertThat(result.metrics().get("margin")).isGreaterThan(10);
        assertThat(result.prototypes().counts()).containsOnly(15);
    }

    @Test
    void underTheMedianOrClippedRowsTwoBadUploadsOfFiveNeitherMoveAClassNorWidenTheMargin() {
        Random random = new Random(7);
        float[][] centres = centres(random);
        List<PrototypeUpload> clean = uploads(centres, 5, 0, 1, new Random(8));
        List<PrototypeUpload> blownUp = uploads(centres, 5, 2, 20, new Random(8));
        List<PrototypeUpload> reversed = uploads(centres, 5, 2, -20, new Random(8));
        // FedTGP's options choose the rule of its trainable prototypes; with clipRows its
        // coordinator clips the uploads as they arrive, before the aggregator sees them
        FedTgpAlgorithm median = FedTgpAlgorithm.fromOptions(Map.of("robust", "median"));
        FedTgpAlgorithm mean = FedTgpAlgorithm.fromOptions(Map.of("clipRows", "norm"));

        PrototypeAggregator.Result robust = aggregate(median, blownUp);
        double meanMargin = aggregate(mean, blownUp).metrics().get("margin");

        // each entry of a median centre is an honest participant's (the outermost of the three,
        // whose noise of 0.1 widens the gaps a little); the mean's centres are blown up about
        // (3 + 2 * 20) / 5 = 8.6 times, and so is its margin, up to the cap of 100
        double cleanMargin = aggregate(median, clean).metrics().get("margin");
        assertThat(robust.metrics().get("margin"))
                .isCloseTo(cleanMargin, within(0.15 * cleanMargin));
        assertThat(meanMargin).isGreaterThan(4 * cleanMargin);
        assertNearestTheirOwnCentres(robust.prototypes().means(), centres);
        assertThat(robust.prototypes().counts()).containsOnly(25);
        // clipped to the median norm, the two rows scaled 20-fold come back to an honest row's
        // size in their own direction; clipped around the median row, the two reversed ones come
        // to the median distance from it, on the far side: either way the mean trains on every
        // holder's row and keeps the clean mean's centres and margin
        double cleanMeanMargin = aggregate(mean, clean).metrics().get("margin");
        for (PrototypeAggregator.Result clipped :
                List.of(
                        aggregate(mean, PrototypeUpload.clippedRows(blownUp, RowClipping.NORM)),
                        aggregate(
                                mean,
                                PrototypeUpload.clippedRows(reversed, RowClipping.CENTRED)))) {
            assertThat(clipped.metrics().get("margin"))
                    .isCloseTo(cleanMeanMargin, within(0.1 * cleanMeanMargin));
            assertNearestTheirOwnCentres(clipped.prototypes().means(), centres);
        }
        // the option reaches the exchange that clips, beside FD's teacher too
        assertThat(
                        FedTgpAlgorithm.fromOptions(Map.of("clipRows", "centred", "alpha", 0.5))
                                .participants()
                                .clipRows())
                .isEqualTo(RowClipping.CENTRED);
        assertThatThrownBy(() -> FedTgpAlgorithm.fromOptions(Map.of("clipRows", "hard")))
                .hasMessageContaining("clipRows")
                .hasMessageContaining("[none, norm, centred]");
    }

    private static PrototypeAggregator.Result aggregate(
            FedTgpAlgorithm algorithm, List<PrototypeUpload> uploads) {
        return algorithm
                .aggregator(CLASSES, WIDTH, 3)
                .aggregate(1, uploads, contributions(uploads.size()));
    }

    @Test
    void fedTgpRefusesRulesThatCannotServeAClassesFewHoldersAndFedProtosWeighting() {
        assertThatThrownBy(() -> FedTgpAlgorithm.fromOptions(Map.of("robust", "krum")))
                .hasMessageStartingWith("fedtgp: robust: krum needs more than 2f + 2 uploads");
        assertThatThrownBy(() -> FedTgpAlgorithm.fromOptions(Map.of("weighting", "class-counts")))
                .hasMessageContaining("unknown option(s) [weighting]");
    }
}
