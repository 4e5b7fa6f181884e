package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Coordinate-wise robust statistics of participants' updates: the median and the trimmed mean of
 * each element across participants, which bound the pull of a minority of extreme updates.
 *
 * <p>Both are one computation, the mean of each coordinate's sorted values after dropping the same
 * number from each end, so weights, knowledge (through {@link RobustAggregation}) and multi-Krum's
 * average share it.
 */
public final class CoordinateWise {
    /** Elements reduced together by one task: a cache-sized slice of each update. */
    private static final int BLOCK = 8192;

    /**
     * Slack added before rounding {@code trimFraction * n} down, so that a product such as {@code
     * 0.29 * 100 = 28.999999999999996} trims the 29 values the fraction means.
     */
    private static final double TRIM_ROUNDING_SLACK = 1e-9;

    private CoordinateWise() {}

    /**
     * Returns each element's median across updates; with an even number of updates, the mean of the
     * two middle values.
     *
     * @param updates records with the same names, shapes and roles
     * @return the median, with the updates' names, shapes and roles
     */
    public static TensorRecord median(List<TensorRecord> updates) {
        return centralMean(updates, (updates.size() - 1) / 2);
    }

    /**
     * Returns the median of plain values (a participant's loss, a row's norm, a timing ratio); with
     * an even number of values, the mean of the two middle ones; 0 for none.
     */
    public static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /**
     * Returns each element's trimmed mean across updates: the mean after dropping the {@code
     * floor(trimFraction * n)} smallest and as many largest values.
     *
     * @param updates records with the same names, shapes and roles
     * @param trimFraction the fraction dropped from each end, in [0, 0.5); 0 gives the plain mean
     * @return the trimmed mean, with the updates' names, shapes and roles
     */
    public static TensorRecord trimmedMean(List<TensorRecord> updates, double trimFraction) {
        requireTrimFraction(trimFraction);
        int n = updates.size();
        // a fraction just under 0.5 must still keep one value after the rounding slack
        int dropped =
                Math.min((int) Math.floor(trimFraction * n + TRIM_ROUNDING_SLACK), (n - 1) / 2);
        return centralMean(updates, dropped);
    }

    /** Refuses a trim fraction outside [0, 0.5), naming the field. */
    static void requireTrimFraction(double trimFraction) {
        if (!(trimFraction >= 0 && trimFraction < 0.5)) {
            throw new IllegalArgumentException(
                    "trimFraction must be in [0, 0.5), got " + trimFraction);
        }
    }

    /**
     * Refuses an empty list and updates whose names, shapes or roles differ from the first one's: a
     * robust statistic over mismatched tensors would be silently wrong.
     */
    static void requireCommonLayout(List<TensorRecord> updates) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("cannot aggregate zero updates");
        }
        TensorRecord first = updates.get(0);
        for (int p = 1; p < updates.size(); p++) {
            TensorRecord update = updates.get(p);
            if (!update.names().equals(first.names())) {
                throw new IllegalArgumentException(
                        "participant "
                                + p
                                + " sent tensors "
                                + update.names()
                                + " but participant 0 sent "
                                + first.names());
            }
            for (String name : first.names()) {
                int[] shape = first.get(name).shape();
                if (!update.get(name).hasShape(shape)) {
                    throw new IllegalArgumentException(
                            "tensor '"
                                    + name
                                    + "' has shape "
                                    + Arrays.toString(update.get(name).shape())
                                    + " for participant "
                                    + p
                                    + " but "
                                    + Arrays.toString(shape)
                                    + " for participant 0");
                }
                if (update.role(name) != first.role(name)) {
                    throw new IllegalArgumentException(
                            "tensor '"
                                    + name
                                    + "' is "
                                    + update.role(name).wireName()
                                    + " for participant "
                                    + p
                                    + " but "
                                    + first.role(name).wireName()
                                    + " for participant 0");
                }
            }
        }
    }

    /**
     * Returns each element's mean across updates after dropping its {@code dropped} smallest and
     * {@code dropped} largest values; 0 gives the plain mean.
     */
    static TensorRecord centralMean(List<TensorRecord> updates, int dropped) {
        requireCommonLayout(updates);
        TensorRecord first = updates.get(0);
        TensorRecord.Builder out = TensorRecord.builder();
        for (Map.Entry<String, Tensor> entry : first.asMap().entrySet()) {
            String name = entry.getKey();
            Tensor[] tensors = updates.stream().map(u -> u.get(name)).toArray(Tensor[]::new);
            float[] result = new float[entry.getValue().size()];
            int blocks = (result.length + BLOCK - 1) / BLOCK;
            // each element depends only on its own column, so the result does not depend on the
            // number of threads
            IntStream.range(0, blocks)
                    .parallel()
                    .forEach(block -> centralMeanOfBlock(tensors, dropped, result, block * BLOCK));
            out.put(name, Tensor.wrap(entry.getValue().shape(), result), first.role(name));
        }
        return out.build();
    }

    private static void centralMeanOfBlock(
            Tensor[] tensors, int dropped, float[] result, int from) {
        int to = Math.min(result.length, from + BLOCK);
        float[] column = new float[tensors.length];
        int kept = tensors.length - 2 * dropped;
        for (int i = from; i < to; i++) {
            for (int p = 0; p < tensors.length; p++) {
                column[p] = tensors[p].get(i);
            }
            if (dropped > 0) {
                // NaN sorts above every number, so a NaN sent by a bad participant is trimmed as
                // an extreme value rather than spreading into the aggregate
                Arrays.sort(column);
            }
            double sum = 0;
            for (int p = dropped; p < dropped + kept; p++) {
                sum += column[p];
            }
            result[i] = (float) (sum / kept);
        }
    }
}
