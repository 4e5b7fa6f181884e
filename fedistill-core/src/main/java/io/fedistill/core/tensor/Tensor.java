package io.fedistill.core.tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense float tensor held in plain Java memory: the unit of every exchanged payload.
 *
 * <p>Immutable: the shape and data are copied in and copied out, so a tensor can be shared between
 * the coordinator, codecs and participants without aliasing surprises.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * Creates a tensor from a shape and row-major data.
     *
     * @param shape the dimensions, each at least 0
     * @param data row-major values; its length must equal the product of the dimensions
     * @return the tensor
     */
    public static Tensor of(int[] shape, float[] data) {
        return new Tensor(shape.clone(), checkedData(shape, data).clone());
    }

    /**
     * Creates a tensor that takes ownership of {@code data} without copying it; the caller must not
     * modify the array afterwards.
     */
    public static Tensor wrap(int[] shape, float[] data) {
        return new Tensor(shape.clone(), checkedData(shape, data));
    }

    /** Creates a one-dimensional tensor. */
    public static Tensor vector(float... values) {
        return of(new int[] {values.length}, values);
    }

    /** Creates a tensor of zeros with the given shape. */
    public static Tensor zeros(int... shape) {
        return new Tensor(shape.clone(), new float[elementCount(shape)]);
    }

    private static float[] checkedData(int[] shape, float[] data) {
        int expected = elementCount(shape);
        if (data.length != expected) {
            throw new IllegalArgumentException(
                    "tensor of shape "
                            + Arrays.toString(shape)
                            + " needs "
                            + expected
                            + " values, got "
                            + data.length);
        }
        return data;
    }

    /** Returns the number of elements a tensor of this shape holds. */
    public static int elementCount(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        "tensor dimensions must be >= 0, got " + Arrays.toString(shape));
            }
            count *= dim;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "tensor of shape " + Arrays.toString(shape) + " is too large");
            }
        }
        return (int) count;
    }

    /** Returns a copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Returns whether this tensor has exactly the given shape. */
    public boolean hasShape(int[] other) {
        return Arrays.equals(shape, other);
    }

    /** Returns a copy of the row-major data. */
    public float[] toFloatArray() {
        return data.clone();
    }

    /**
     * Returns a copy of a matrix's rows, one array per row.
     *
     * @throws IllegalStateException when the tensor is not two-dimensional
     */
    public float[][] rows() {
        if (shape.length != 2) {
            throw new IllegalStateException(
                    "rows of a matrix asked of a tensor of shape " + Arrays.toString(shape));
        }
        float[][] rows = new float[shape[0]][];
        for (int i = 0; i < shape[0]; i++) {
            rows[i] = Arrays.copyOfRange(data, i * shape[1], (i + 1) * shape[1]);
        }
        return rows;
    }

    /** Puts every element, in row-major order, into {@code target} at its position. */
    public void copyTo(FloatBuffer target) {
        target.put(data);
    }

    /** Returns the element count. */
    public int size() {
        return data.length;
    }

    /** Returns the element at a flat row-major index. */
    public float get(int flatIndex) {
        return data[flatIndex];
    }

    /** Returns whether every element is finite (no NaN, no infinity). */
    public boolean isFinite() {
        for (float v : data) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t
                && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
