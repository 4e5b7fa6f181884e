package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;
import java.util.Map;

/** Weighted element-wise mean of tensor records with identical names and shapes (FedAvg's step). */
public final class WeightedMean {
    private WeightedMean() {}

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
        TensorRecord first = records.get(0);
        TensorRecord.Builder out = TensorRecord.builder();
        for (Map.Entry<String, Tensor> entry : first.asMap().entrySet()) {
            String name = entry.getKey();
            int[] shape = entry.getValue().shape();
            double[] sum = new double[entry.getValue().size()];
            for (int r = 0; r < records.size(); r++) {
                Tensor t = records.get(r).get(name);
                if (!t.hasShape(shape)) {
                    throw new IllegalArgumentException(
                            "tensor '" + name + "' differs in shape between records");
                }
                double w = weights[r] / total;
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += w * t.get(i);
                }
            }
            float[] mean = new float[sum.length];
            for (int i = 0; i < sum.length; i++) {
                mean[i] = (float) sum[i];
            }
            out.put(name, Tensor.wrap(shape, mean));
        }
        return out.build();
    }
}
