package io.fedistill.algorithms.fedkd;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The wire form of FedKD's compressed mentee, up or down: each weight tensor either whole ({@code
 * name}) or, where a truncated SVD of its change from the base weights the receiver holds is
 * smaller, as two factors {@code name#u} ({@code m x k}, the left singular vectors scaled by their
 * singular values) and {@code name#v} ({@code k x n}), where the change is viewed as an {@code m x
 * n} matrix ({@code m} its first dimension). The receiver multiplies them back and adds the base
 * weights.
 */
public final class LowRankUpdate {
    /** The suffix of a factor's left part. */
    public static final String LEFT = "#u";

    /** The suffix of a factor's right part. */
    public static final String RIGHT = "#v";

    private LowRankUpdate() {}

    /**
     * Returns the full weights a compressed mentee stands for.
     *
     * @param base the base weights the change was taken from
     * @param compressed whole tensors and factor pairs, one of the two for each base tensor
     * @throws IllegalArgumentException naming a missing, extra or wrongly shaped tensor
     */
    public static TensorRecord reconstruct(TensorRecord base, TensorRecord compressed) {
        TensorRecord.Builder out = TensorRecord.builder();
        Set<String> used = new HashSet<>();
        for (String name : base.names()) {
            Tensor start = base.get(name);
            int[] shape = start.shape();
            if (compressed.find(name).isPresent()) {
                Tensor whole = compressed.get(name);
                if (!whole.hasShape(shape)) {
                    throw new IllegalArgumentException(
                            "'"
                                    + name
                                    + "' has shape "
                                    + Arrays.toString(whole.shape())
                                    + ", expected "
                                    + Arrays.toString(shape));
                }
                out.put(name, whole, TensorRole.WEIGHTS);
                used.add(name);
                continue;
            }
            Tensor left =
                    compressed
                            .find(name + LEFT)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "the compressed mentee has neither '"
                                                            + name
                                                            + "' nor its factors"));
            Tensor right =
                    compressed
                            .find(name + RIGHT)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "'"
                                                            + name
                                                            + LEFT
                                                            + "' without '"
                                                            + name
                                                            + RIGHT
                                                            + "'"));
            int rows = shape[0];
            int columns = start.size() / rows;
            int rank = left.shape().length == 2 ? left.shape()[1] : -1;
            if (!left.hasShape(new int[] {rows, rank})
                    || rank < 1
                    || !right.hasShape(new int[] {rank, columns})) {
                throw new IllegalArgumentException(
                        "factors of '"
                                + name
                                + "' have shapes "
                                + Arrays.toString(left.shape())
                                + " and "
                                + Arrays.toString(right.shape())
                                + "; expected ["
                                + rows
                                + ", k] and [k, "
                                + columns
                                + "]");
            }
            float[] values = start.toFloatArray();
            float[] u = left.toFloatArray();
            float[] v = right.toFloatArray();
            for (int i = 0; i < rows; i++) {
                for (int r = 0; r < rank; r++) {
                    float a = u[i * rank + r];
                    for (int j = 0; j < columns; j++) {
                        values[i * columns + j] += a * v[r * columns + j];
                    }
                }
            }
            out.put(name, Tensor.wrap(shape, values), TensorRole.WEIGHTS);
            used.add(name + LEFT);
            used.add(name + RIGHT);
        }
        Set<String> extra = new HashSet<>(compressed.names());
        extra.removeAll(used);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(
                    "the compressed mentee holds unknown tensors " + extra);
        }
        return out.build();
    }
}
