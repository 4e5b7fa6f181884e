package io.fedistill.algorithms.fd;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Collection;

/**
 * Per-label mean logits with the number of samples behind each row: FD's upload, and, summed
 * over other participants with counts as weights, its teacher.
 *
 * @param means row c: mean logit vector over samples of label c (zeros where the count is 0)
 * @param counts samples behind each row
 */
record PerLabelLogits(float[][] means, int[] counts) {
    static final String LOGITS = "logits";
    static final String COUNTS = "counts";

    static PerLabelLogits fromSums(float[][] sums, int[] counts) {
        float[][] means = new float[sums.length][];
        for (int c = 0; c < sums.length; c++) {
            means[c] = new float[sums[c].length];
            for (int k = 0; k < sums[c].length; k++) {
                means[c][k] = counts[c] == 0 ? 0 : sums[c][k] / counts[c];
            }
        }
        return new PerLabelLogits(means, counts.clone());
    }

    /** Count-weighted mean of several participants' logits, label by label. */
    static PerLabelLogits weightedMean(Collection<PerLabelLogits> parts, int classes) {
        double[][] sums = new double[classes][classes];
        int[] counts = new int[classes];
        for (PerLabelLogits part : parts) {
            for (int c = 0; c < classes; c++) {
                counts[c] += part.counts[c];
                for (int k = 0; k < classes; k++) {
                    sums[c][k] += (double) part.counts[c] * part.means[c][k];
                }
            }
        }
        float[][] means = new float[classes][classes];
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < classes; k++) {
                means[c][k] = counts[c] == 0 ? 0 : (float) (sums[c][k] / counts[c]);
            }
        }
        return new PerLabelLogits(means, counts);
    }

    /** Reads the record's two tensors. */
    static PerLabelLogits fromRecord(TensorRecord record) {
        Tensor logits = record.get(LOGITS);
        Tensor countTensor = record.get(COUNTS);
        int classes = countTensor.size();
        float[][] means = new float[classes][classes];
        int[] counts = new int[classes];
        for (int c = 0; c < classes; c++) {
            float count = countTensor.get(c);
            if (count < 0 || count != Math.rint(count)) {
                throw new IllegalArgumentException("label " + c + " has count " + count + ", not a count");
            }
            counts[c] = (int) count;
            for (int k = 0; k < classes; k++) {
                means[c][k] = logits.get(c * classes + k);
            }
        }
        return new PerLabelLogits(means, counts);
    }

    /** Writes the means and counts as two tensors. */
    TensorRecord toRecord() {
        int classes = counts.length;
        float[] flat = new float[classes * classes];
        float[] countValues = new float[classes];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(means[c], 0, flat, c * classes, classes);
            countValues[c] = counts[c];
        }
        return TensorRecord.builder()
                .put(LOGITS, Tensor.wrap(new int[] {classes, classes}, flat))
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
