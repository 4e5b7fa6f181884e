package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Weighted element-wise mean of tensor records with identical names and shapes (FedAvg's step). */
public final class WeightedMean {
    /** Elements averaged together by one task: a cache-sized slice of each record. */
    private static final int BLOCK = 8192;

    private WeightedMean() {}

    private static void averageBlock(Tensor[] tensors, double[] weights, float[] mean, int from) {
        int to = Math.min(mean.length, from + BLOCK);
        double[] sum = new double[to - from];
        for (int r = 0; r < tensors.length; r++) {
            Tensor t = tensors[r];
            double w = weights[r];
            for (int i = from; i < to; i++) {
                sum[i - from] += w * t.get(i);
            }
        }
        for (int i = from; i < to; i++) {
            mean[i] = (float) sum[i - from];
        }
    }

    /**
     * Averages records with non-negative weights, accumulating in double precision.
     *
     * @param records records with identical names and shapes
     * @param weights one weight per record, summing to more than zero
     * @return the weighted mean
     */
    public static TensorRecord of(List<TensorRecord> records, double[] weights) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("cannot average zero records");
        }
        if (records.size() != weights.length) {
            throw new IllegalArgumentException(
                    records.size() + " records but " + weights.length + " weights");
        }
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
            }
            total += w;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("weights sum to zero");
        }
        double[] normalized = new double[weights.length];
        for (int r = 0; r < weights.length; r++) {
            normalized[r] = weights[r] / total;
        }
        TensorRecord first = records.get(0);
        TensorRecord.Builder out = TensorRecord.builder();
        for (Map.Entry<String, Tensor> entry : first.asMap().entrySet()) {
            String name = entry.getKey();
            int[] shape = entry.getValue().shape();
            Tensor[] tensors = new Tensor[records.size()];
            for (int r = 0; r < tensors.length; r++) {
                tensors[r] = records.get(r).get(name);
                if (!tensors[r].hasShape(shape)) {
                    throw new IllegalArgumentException(
                            "tensor '" + name + "' differs in shape between records");
                }
            }
            float[] mean = new float[entry.getValue().size()];
            int blocks = (mean.length + BLOCK - 1) / BLOCK;
            // blocks of elements in parallel; each element sums its records in order, so the
            // result does not depend on the number of threads
            IntStream.range(0, blocks)
                    .parallel()
                    .forEach(block -> averageBlock(tensors, normalized, mean, block * BLOCK));
            out.put(name, Tensor.wrap(shape, mean), first.role(name));
        }
        return out.build();
    }
}
