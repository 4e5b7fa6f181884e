package io.fedistill.algorithms.fedtgp;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.algorithms.fedproto.PrototypeAggregator;
import io.fedistill.algorithms.fedproto.PrototypeUpload;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainablePrototypesTest {
    private static final int CLASSES = 10;
    private static final int WIDTH = 128;

    @Test
    void classesStartFromAnEmbeddingTableAndEndNearestTheirOwnUploads() {
        // three participants whose prototypes of each class scatter around a class centre
        Random random = new Random(5);
        float[][] centres = new float[CLASSES][WIDTH];
        for (float[] centre : centres) {
            for (int k = 0; k < WIDTH; k++) {
                centre[k] = (float) random.nextGaussian();
            }
        }
        List<PrototypeUpload> uploads = new ArrayList<>();
        List<ParticipantWeighting.Contribution> contributions = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            float[][] means = new float[CLASSES][WIDTH];
            int[] counts = new int[CLASSES];
            for (int c = 0; c < CLASSES; c++) {
                for (int k = 0; k < WIDTH; k++) {
                    means[c][k] = centres[c][k] + 0.1f * (float) random.nextGaussian();
                }
                counts[c] = 5;
            }
            uploads.add(
                    PrototypeUpload.fromRecord(
                            PrototypeUpload.toRecord(
                                    new PerLabelMeans(PerLabelMeans.FEATURES, means, counts))));
            contributions.add(
                    new ParticipantWeighting.Contribution(50, new double[CLASSES], Double.NaN));
        }
        TrainablePrototypes aggregator =
                new TrainablePrototypes(
                        new TrainablePrototypes.Settings(100, 0.01f, 10, 0, 100f),
                        CLASSES,
                        WIDTH,
                        3);

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
        // every generated prototype lies nearest its own class's uploads
        float[][] prototypes = result.prototypes().means();
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
        assertThat(result.metrics().get("margin")).isGreaterThan(10);
        assertThat(result.prototypes().counts()).containsOnly(15);
    }
}
