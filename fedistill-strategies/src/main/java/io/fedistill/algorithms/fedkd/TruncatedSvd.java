package io.fedistill.algorithms.fedkd;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * FedKD's compression, of uploads and downloads alike: each weight tensor of two or more dimensions
 * has its change from the weights the receiver holds, viewed as an {@code m x n} matrix, factored
 * by SVD and truncated to the fewest singular values whose squares keep {@code energy} of the
 * total; the factors travel instead of the tensor when they are smaller ({@link LowRankUpdate} says
 * how they are named and rebuilt). Vectors (biases) travel whole.
 */
public final class TruncatedSvd {
    private TruncatedSvd() {}

    /**
     * Returns the wire form of new weights.
     *
     * @param trained the new weights (a participant's after training, the coordinator's mean)
     * @param global the weights the receiver holds, which the change is taken from
     * @param energy the share of squared singular values kept, in (0, 1]
     */
    public static TensorRecord compress(TensorRecord trained, TensorRecord global, double energy) {
        TensorRecord.Builder out = TensorRecord.builder();
        for (String name : trained.names()) {
            Tensor weights = trained.get(name);
            int[] shape = weights.shape();
            if (shape.length < 2) {
                out.put(name, weights, TensorRole.WEIGHTS);
                continue;
            }
            int rows = shape[0];
            int columns = weights.size() / rows;
            float[] after = weights.toFloatArray();
            float[] before = global.get(name).toFloatArray();
            double[][] update = new double[rows][columns];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < columns; j++) {
                    update[i][j] = after[i * columns + j] - before[i * columns + j];
                }
            }
            SingularValueDecomposition svd =
                    new SingularValueDecomposition(new Array2DRowRealMatrix(update, false));
            double[] sigma = svd.getSingularValues();
            int rank = keptRank(sigma, energy);
            if ((long) rank * (rows + columns) >= (long) rows * columns) {
                out.put(name, weights, TensorRole.WEIGHTS);
                continue;
            }
            RealMatrix u = svd.getU();
            RealMatrix vt = svd.getVT();
            float[] left = new float[rows * rank];
            float[] right = new float[rank * columns];
            for (int r = 0; r < rank; r++) {
                for (int i = 0; i < rows; i++) {
                    left[i * rank + r] = (float) (u.getEntry(i, r) * sigma[r]);
                }
                for (int j = 0; j < columns; j++) {
                    right[r * columns + j] = (float) vt.getEntry(r, j);
                }
            }
            out.put(
                    name + LowRankUpdate.LEFT,
                    Tensor.wrap(new int[] {rows, rank}, left),
                    TensorRole.EXACT);
            out.put(
                    name + LowRankUpdate.RIGHT,
                    Tensor.wrap(new int[] {rank, columns}, right),
                    TensorRole.EXACT);
        }
        return out.build();
    }

    /**
     * The fewest leading singular values whose squares reach {@code energy} of the total (>= 1).
     */
    static int keptRank(double[] sigma, double energy) {
        double total = 0;
        for (double s : sigma) {
            total += s * s;
        }
        double kept = 0;
        for (int k = 0; k < sigma.length; k++) {
            kept += sigma[k] * sigma[k];
            if (kept >= energy * total) {
                return k + 1;
            }
        }
        return Math.max(1, sigma.length);
    }
}
