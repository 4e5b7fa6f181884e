package io.fedistill.core.attack;

import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The value transforms the upload attacks are made of. A "row" is a run along the last dimension:
 * one sample's class scores.
 */
final class Tampering {
    private Tampering() {}

    /** Returns every value multiplied by {@code factor}. */
    static Tensor scaled(Tensor tensor, double factor) {
        float[] values = tensor.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (values[i] * factor);
        }
        return Tensor.wrap(tensor.shape(), values);
    }

    /**
     * Returns Gaussian noise with the honest tensor's mean and (population) standard deviation, so
     * the fake logits are as large as real ones and not caught by their scale alone.
     */
    static Tensor gaussianLike(Tensor tensor, Random random) {
        float[] values = tensor.toFloatArray();
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        double mean = values.length == 0 ? 0 : sum / values.length;
        double squares = 0;
        for (float v : values) {
            squares += (v - mean) * (v - mean);
        }
        double std = values.length == 0 ? 0 : Math.sqrt(squares / values.length);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (mean + std * random.nextGaussian());
        }
        return Tensor.wrap(tensor.shape(), values);
    }

    /**
     * Returns the rows that are not all zeros replaced by Gaussian noise with their mean and
     * (population) standard deviation ({@link #gaussianLike} over those rows alone), and the rows
     * of zeros kept: a participant's prototypes of classes it does not hold stay empty.
     */
    static Tensor gaussianLikeInNonZeroRows(Tensor tensor, Random random) {
        float[] values = tensor.toFloatArray();
        int width = rowWidth(tensor);
        List<Integer> starts = new ArrayList<>();
        for (int start = 0; start < values.length; start += width) {
            for (int k = start; k < start + width; k++) {
                if (values[k] != 0) {
                    starts.add(start);
                    break;
                }
            }
        }
        float[] rows = new float[starts.size() * width];
        for (int i = 0; i < starts.size(); i++) {
            System.arraycopy(values, starts.get(i), rows, i * width, width);
        }
        float[] noise = gaussianLike(Tensor.vector(rows), random).toFloatArray();
        for (int i = 0; i < starts.size(); i++) {
            System.arraycopy(noise, i * width, values, starts.get(i), width);
        }
        return Tensor.wrap(tensor.shape(), values);
    }

    /**
     * Returns each row {@code p} as {@code normalize(max(p) + min(p) - p)}: the largest value
     * becomes the smallest and the ranking reverses exactly, every value stays non-negative, and a
     * two-class row is swapped, {@code (0.8, 0.2) -> (0.2, 0.8)}. A row of zeros becomes uniform.
     */
    static Tensor reversedRanking(Tensor tensor) {
        float[] values = tensor.toFloatArray();
        int width = rowWidth(tensor);
        for (int start = 0; start < values.length; start += width) {
            float max = Float.NEGATIVE_INFINITY;
            float min = Float.POSITIVE_INFINITY;
            for (int k = start; k < start + width; k++) {
                max = Math.max(max, values[k]);
                min = Math.min(min, values[k]);
            }
            double[] row = new double[width];
            for (int k = 0; k < width; k++) {
                row[k] = (double) max + min - values[start + k];
            }
            normalizeInto(row, values, start);
        }
        return Tensor.wrap(tensor.shape(), values);
    }

    /**
     * Returns rows drawn uniformly from the probability simplex (normalized exponential draws, a
     * flat Dirichlet), so each row is a valid distribution unrelated to the honest one.
     */
    static Tensor randomDistributions(Tensor tensor, Random random) {
        float[] values = new float[tensor.size()];
        int width = rowWidth(tensor);
        for (int start = 0; start < values.length; start += width) {
            double[] row = new double[width];
            for (int k = 0; k < width; k++) {
                // 1 - u lies in (0, 1], so the logarithm is finite
                row[k] = -Math.log(1 - random.nextDouble());
            }
            normalizeInto(row, values, start);
        }
        return Tensor.wrap(tensor.shape(), values);
    }

    /**
     * Returns counts with the total of {@code counts}, shared out in proportion to the mean row of
     * the matrix {@code scores} (each row of logits turned into probabilities by a softmax first),
     * so the counts agree with what the scores predict: whole numbers, with the total rounded to
     * one.
     */
    static Tensor countsLike(Tensor counts, Tensor scores, boolean logits) {
        int width = rowWidth(scores);
        float[][] rows = scores.rows();
        double[] mean = new double[width];
        for (float[] row :
                logits ? SoftLabels.softmax(rows, 1.0) : SoftLabels.normalizeRows(rows)) {
            for (int k = 0; k < width; k++) {
                mean[k] += row[k];
            }
        }
        float[] shares = new float[width];
        normalizeInto(mean, shares, 0);
        double total = 0;
        for (float c : counts.toFloatArray()) {
            total += c;
        }
        return Tensor.wrap(counts.shape(), wholeShares(shares, Math.round(total)));
    }

    /**
     * Returns {@code whole} shared out by {@code shares} in whole numbers that sum to it: each
     * share rounded down, the units left over going one each to the largest remainders.
     */
    private static float[] wholeShares(float[] shares, long whole) {
        float[] out = new float[shares.length];
        double[] remainders = new double[shares.length];
        long given = 0;
        for (int k = 0; k < shares.length; k++) {
            double share = whole * (double) shares[k];
            out[k] = (float) Math.floor(share);
            remainders[k] = share - out[k];
            given += (long) out[k];
        }
        Integer[] order = new Integer[shares.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(remainders[b], remainders[a]));
        for (int j = 0; given < whole && j < order.length; j++, given++) {
            out[order[j]] += 1;
        }
        return out;
    }

    /** Returns every value multiplied by {@code factor} and rounded to a whole number. */
    static Tensor scaledCounts(Tensor counts, double factor) {
        float[] values = counts.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.round(values[i] * factor);
        }
        return Tensor.wrap(counts.shape(), values);
    }

    private static int rowWidth(Tensor tensor) {
        int[] shape = tensor.shape();
        // a scalar is one row of one value; an empty last dimension means no rows at all
        return shape.length == 0 ? 1 : Math.max(shape[shape.length - 1], 1);
    }

    private static void normalizeInto(double[] row, float[] target, int start) {
        double sum = 0;
        for (double v : row) {
            sum += v;
        }
        for (int k = 0; k < row.length; k++) {
            target[start + k] = (float) (sum > 0 ? row[k] / sum : 1.0 / row.length);
        }
    }
}
