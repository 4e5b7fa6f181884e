package io.fedistill.algorithms.fd;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Collection;

/**
 * Per-label mean vectors (logits or feature prototypes) with the number of samples behind each
 * row: FD's upload, and, summed over other participants with counts as weights, its teacher.
 *
 * @param kind the tensor name: {@link #LOGITS} or {@link #FEATURES}
 * @param means row c: mean vector over samples of label c (zeros where the count is 0)
 * @param counts samples behind each row
 */
record PerLabelMeans(String kind, float[][] means, int[] counts) {
    static final String LOGITS = "logits";
    static final String FEATURES = "features";
    static final String COUNTS = "counts";

    /** Divides per-label sums by their counts; a null sum row (no samples) becomes zeros of {@code width}. */
    static PerLabelMeans fromSums(String kind, float[][] sums, int[] counts, int width) {
        float[][] means = new float[sums.length][width];
        for (int c = 0; c < sums.length; c++) {
            for (int k = 0; k < width && sums[c] != null; k++) {
                means[c][k] = counts[c] == 0 ? 0 : sums[c][k] / counts[c];
            }
        }
        return new PerLabelMeans(kind, means, counts.clone());
    }

    /** Count-weighted mean of several participants' vectors, label by label. */
    static PerLabelMeans weightedMean(String kind, Collection<PerLabelMeans> parts, int classes, int width) {
        double[][] sums = new double[classes][width];
        int[] counts = new int[classes];
        for (PerLabelMeans part : parts) {
            for (int c = 0; c < classes; c++) {
                counts[c] += part.counts[c];
                for (int k = 0; k < width; k++) {
                    sums[c][k] += (double) part.counts[c] * part.means[c][k];
                }
            }
        }
        float[][] means = new float[classes][width];
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < width; k++) {
                means[c][k] = counts[c] == 0 ? 0 : (float) (sums[c][k] / counts[c]);
            }
        }
        return new PerLabelMeans(kind, means, counts);
    }

    /** Reads the record's two tensors. */
    static PerLabelMeans fromRecord(String kind, TensorRecord record) {
        Tensor values = record.get(kind);
        Tensor countTensor = record.get(COUNTS);
        int classes = countTensor.size();
        int width = values.shape()[1];
        float[][] means = new float[classes][width];
        int[] counts = new int[classes];
        for (int c = 0; c < classes; c++) {
            float count = countTensor.get(c);
            if (count < 0 || count != Math.rint(count)) {
                throw new IllegalArgumentException("label " + c + " has count " + count + ", not a count");
            }
            counts[c] = (int) count;
            for (int k = 0; k < width; k++) {
                means[c][k] = values.get(c * width + k);
            }
        }
        return new PerLabelMeans(kind, means, counts);
    }

    /** Writes the means and counts as two tensors. */
    TensorRecord toRecord() {
        int classes = counts.length;
        int width = classes == 0 ? 0 : means[0].length;
        float[] flat = new float[classes * width];
        float[] countValues = new float[classes];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(means[c], 0, flat, c * width, width);
            countValues[c] = counts[c];
        }
        return TensorRecord.builder()
                .put(kind, Tensor.wrap(new int[] {classes, width}, flat))
                .put(COUNTS, Tensor.wrap(new int[] {classes}, countValues))
                .build();
    }

    /** Returns teacher rows: the mean where some sample stands behind it, null where none does. */
    float[][] teacherRows() {
        float[][] rows = new float[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            rows[c] = counts[c] > 0 ? means[c].clone() : null;
        }
        return rows;
    }

    boolean isEmpty() {
        for (int count : counts) {
            if (count > 0) {
                return false;
            }
        }
        return true;
    }
}
