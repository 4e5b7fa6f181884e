package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Krum and multi-Krum (Blanchard et al., 2017): keeps the updates closest to their neighbours, so
 * that up to {@code f} Byzantine updates far from the honest ones are left out whole.
 *
 * <p>Each update's score is the sum of its squared Euclidean distances, over all tensors, to its
 * {@code n - f - 2} nearest other updates. Krum returns the update with the lowest score;
 * multi-Krum averages the {@code m} lowest. Both need {@code n > 2f + 2}, so that every honest
 * update's nearest neighbours can all be honest.
 */
public final class Krum {
    private Krum() {}

    /**
     * Returns each update's Krum score: the sum of its squared distances to its {@code n - f - 2}
     * nearest other updates.
     *
     * @param updates records with the same names, shapes and roles
     * @param assumedByzantine f, the number of updates assumed Byzantine, at least 0
     * @return one score per update, in order; lower is more central
     * @throws IllegalArgumentException when {@code n <= 2f + 2} or the layouts differ
     */
    public static double[] scores(List<TensorRecord> updates, int assumedByzantine) {
        int n = updates.size();
        if (assumedByzantine < 0) {
            throw new IllegalArgumentException(
                    "assumedByzantine must be >= 0, got " + assumedByzantine);
        }
        if (n <= 2 * assumedByzantine + 2) {
            throw new IllegalArgumentException(
                    "Krum needs n > 2f + 2 updates, got n = "
                            + n
                            + " with f = "
                            + assumedByzantine
                            + " assumed Byzantine");
        }
        CoordinateWise.requireCommonLayout(updates);
        double[][] distances = squaredDistances(updates);
        int neighbours = n - assumedByzantine - 2;
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            double[] toOthers = new double[n - 1];
            for (int j = 0, k = 0; j < n; j++) {
                if (j != i) {
                    toOthers[k++] = distances[i][j];
                }
            }
            // NaN sorts last: an update with non-finite values is everyone's farthest neighbour
            Arrays.sort(toOthers);
            for (int k = 0; k < neighbours; k++) {
                scores[i] += toOthers[k];
            }
        }
        return scores;
    }

    /**
     * Aggregates by multi-Krum: the element-wise mean of the {@code multiKrumSelect} updates with
     * the lowest scores, ties going to the earlier update. {@code multiKrumSelect = 1} is Krum,
     * which returns the most central update itself; {@code multiKrumSelect = n - f} is the usual
     * multi-Krum.
     *
     * @param updates records with the same names, shapes and roles
     * @param assumedByzantine f, the number of updates assumed Byzantine, at least 0
     * @param multiKrumSelect m, how many updates to average, in [1, n - f]
     * @return the mean of the selected updates, with the updates' roles, and which were selected
     * @throws IllegalArgumentException when {@code n <= 2f + 2}, {@code m} is out of range or the
     *     layouts differ
     */
    public static RobustResult<TensorRecord> aggregate(
            List<TensorRecord> updates, int assumedByzantine, int multiKrumSelect) {
        double[] scores = scores(updates, assumedByzantine);
        int n = updates.size();
        if (multiKrumSelect < 1 || multiKrumSelect > n - assumedByzantine) {
            throw new IllegalArgumentException(
                    "multiKrumSelect must be in [1, n - f] = [1, "
                            + (n - assumedByzantine)
                            + "], got "
                            + multiKrumSelect);
        }
        List<Integer> selected =
                IntStream.range(0, n)
                        .boxed()
                        .sorted(Comparator.comparingDouble(i -> scores[i]))
                        .limit(multiKrumSelect)
                        .sorted()
                        .toList();
        TensorRecord mean =
                CoordinateWise.centralMean(selected.stream().map(updates::get).toList(), 0);
        return new RobustResult<>(mean, n, selected);
    }

    private static double[][] squaredDistances(List<TensorRecord> updates) {
        int n = updates.size();
        List<String> names = List.copyOf(updates.get(0).names());
        Tensor[][] tensors = new Tensor[n][];
        for (int p = 0; p < n; p++) {
            TensorRecord update = updates.get(p);
            tensors[p] = names.stream().map(update::get).toArray(Tensor[]::new);
        }
        double[][] distances = new double[n][n];
        // one task per pair; each writes its own two cells
        IntStream.range(0, n * n)
                .parallel()
                .filter(pair -> pair / n < pair % n)
                .forEach(
                        pair -> {
                            int i = pair / n;
                            int j = pair % n;
                            double d = squaredDistance(tensors[i], tensors[j]);
                            distances[i][j] = d;
                            distances[j][i] = d;
                        });
        return distances;
    }

    private static double squaredDistance(Tensor[] a, Tensor[] b) {
        double sum = 0;
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].size(); i++) {
                double difference = (double) a[t].get(i) - b[t].get(i);
                sum += difference * difference;
            }
        }
        return sum;
    }
}
