package io.fedistill.core.aggregate;

import java.util.List;

/**
 * Operations on per-sample class scores (n samples x C classes) that knowledge-sharing algorithms
 * aggregate: weighted means, temperature softmax (ERA's sharpening) and entropy.
 */
public final class SoftLabels {
    private SoftLabels() {}

    /**
     * Averages participants' scores class by class with per-class weights.
     *
     * @param scores one n x C matrix per participant
     * @param weights participant x class weights, each column summing to 1
     * @return the n x C weighted mean
     */
    public static float[][] weightedMean(List<float[][]> scores, double[][] weights) {
        if (scores.isEmpty() || scores.size() != weights.length) {
            throw new IllegalArgumentException(
                    scores.size() + " score matrices but " + weights.length + " weight rows");
        }
        int n = scores.get(0).length;
        int classes = n == 0 ? 0 : scores.get(0)[0].length;
        float[][] mean = new float[n][classes];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < classes; k++) {
                double sum = 0;
                for (int p = 0; p < scores.size(); p++) {
                    sum += weights[p][k] * scores.get(p)[i][k];
                }
                mean[i][k] = (float) sum;
            }
        }
        return mean;
    }

    /**
     * Takes participants' scores class by class at their weighted median: for each entry, the value
     * below and above which half of the class's weight lies (the mean of the two values around the
     * middle when the weight splits exactly in half, so equal weights give the plain median).
     * Participants weighing 0 for a class (e.g. holding none of it, under class-count weights) do
     * not vote on it.
     *
     * @param scores one n x C matrix per participant
     * @param weights participant x class weights, each column summing to 1
     * @return the n x C weighted median
     */
    public static float[][] weightedMedian(List<float[][]> scores, double[][] weights) {
        if (scores.isEmpty() || scores.size() != weights.length) {
            throw new IllegalArgumentException(
                    scores.size() + " score matrices but " + weights.length + " weight rows");
        }
        int participants = scores.size();
        int n = scores.get(0).length;
        int classes = n == 0 ? 0 : scores.get(0)[0].length;
        float[][] median = new float[n][classes];
        double[] totals = new double[classes];
        for (int k = 0; k < classes; k++) {
            for (int p = 0; p < participants; p++) {
                totals[k] += weights[p][k];
            }
        }
        Integer[] order = new Integer[participants];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < classes; k++) {
                int row = i;
                int column = k;
                for (int p = 0; p < participants; p++) {
                    order[p] = p;
                }
                java.util.Arrays.sort(
                        order,
                        java.util.Comparator.comparingDouble(p -> scores.get(p)[row][column]));
                double total = totals[k];
                double below = 0;
                float value = 0;
                for (int j = 0; j < participants; j++) {
                    double weight = weights[order[j]][k];
                    if (weight <= 0) {
                        continue;
                    }
                    below += weight;
                    value = scores.get(order[j])[i][k];
                    if (Math.abs(below - total / 2) <= 1e-9 * total) {
                        // the weight splits exactly here: average with the next voter's value
                        for (int next = j + 1; next < participants; next++) {
                            if (weights[order[next]][k] > 0) {
                                value = (value + scores.get(order[next])[i][k]) / 2;
                                break;
                            }
                        }
                        break;
                    }
                    if (below > total / 2) {
                        break;
                    }
                }
                median[i][k] = value;
            }
        }
        return median;
    }

    /**
     * Returns the rows rescaled to sum to 1: per-class weights keep each class's weights summing to
     * 1, so a weighted mean of probability rows needs this to be a distribution again.
     */
    public static float[][] normalizeRows(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (float v : rows[i]) {
                sum += v;
            }
            out[i] = new float[rows[i].length];
            for (int k = 0; k < rows[i].length; k++) {
                out[i][k] = sum > 0 ? (float) (rows[i][k] / sum) : 1f / rows[i].length;
            }
        }
        return out;
    }

    /** Returns {@code softmax(row / temperature)} for every row. */
    public static float[][] softmax(float[][] rows, double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (float v : rows[i]) {
                max = Math.max(max, v / temperature);
            }
            double sum = 0;
            double[] e = new double[rows[i].length];
            for (int k = 0; k < e.length; k++) {
                e[k] = Math.exp(rows[i][k] / temperature - max);
                sum += e[k];
            }
            out[i] = new float[e.length];
            for (int k = 0; k < e.length; k++) {
                out[i][k] = (float) (e[k] / sum);
            }
        }
        return out;
    }

    /** Returns the mean Shannon entropy (nats) of probability rows. */
    public static double meanEntropy(float[][] probabilities) {
        if (probabilities.length == 0) {
            return Double.NaN;
        }
        double total = 0;
        for (float[] row : probabilities) {
            for (float p : row) {
                if (p > 0) {
                    total -= p * Math.log(p);
                }
            }
        }
        return total / probabilities.length;
    }
}
