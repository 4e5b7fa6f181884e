package io.fedistill.core.codec;

import io.fedistill.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * How one tensor's values are written on the wire. A receiver decodes whatever encoding a tensor's
 * header names; which encoding a sender picks for which tensor is its {@link Codec}'s choice.
 *
 * <p>Formats, all big-endian and row-major (the protocol's {@code .proto} repeats them):
 *
 * <ul>
 *   <li>{@link #FP32}: IEEE-754 binary32, 4 bytes a value; lossless.
 *   <li>{@link #FP16}: IEEE-754 binary16, 2 bytes a value, rounded to nearest even; relative error
 *       at most 2^-11 within [6.1e-5, 65504], larger magnitudes become infinite (and the receiver
 *       refuses the non-finite value).
 *   <li>{@link #BF16}: the upper 16 bits of binary32, rounded to nearest even; relative error at
 *       most 2^-8 over binary32's whole range.
 *   <li>{@link #INT8}: per row (the last dimension; a tensor of rank 0 or 1 is one row) a binary32
 *       scale {@code s = max|v| / 127}, then one signed byte {@code q = round(v / s)} a value;
 *       absolute error at most {@code s / 2}. A row holding a non-finite value gets scale NaN and
 *       decodes to NaN, so the receiver refuses it instead of reading garbage.
 *   <li>{@link #UINT16}: unsigned 16-bit integers, 2 bytes a value; lossless for whole numbers in
 *       [0, 65535] and refused for anything else (secure aggregation's masked words).
 *   <li>{@link #SPARSE}: the count {@code k} of non-zero values (int32), their flat indices
 *       ascending (int32 each), then their values (binary32): what top-k sparsification sends.
 *       Lossless for the tensor it is given.
 * </ul>
 */
public enum ValueEncoding {
    /** 32-bit floats, lossless. */
    FP32 {
        @Override
        byte[] encode(Tensor tensor) {
            byte[] bytes = new byte[4 * tensor.size()];
            tensor.copyTo(ByteBuffer.wrap(bytes).asFloatBuffer());
            return bytes;
        }

        @Override
        float[] decode(int[] shape, int count, ByteBuffer in) {
            requireLength(in, 4L * count, count, "4 bytes each");
            float[] values = new float[count];
            in.asFloatBuffer().get(values);
            in.position(in.position() + 4 * count);
            return values;
        }
    },
    /** IEEE half precision. */
    FP16 {
        @Override
        byte[] encode(Tensor tensor) {
            return encodeShorts(tensor, HalfFloats::toHalf);
        }

        @Override
        float[] decode(int[] shape, int count, ByteBuffer in) {
            return decodeShorts(count, in, HalfFloats::fromHalf);
        }
    },
    /** Brain floating point: binary32's exponent with a 7-bit mantissa. */
    BF16 {
        @Override
        byte[] encode(Tensor tensor) {
            return encodeShorts(tensor, HalfFloats::toBrain);
        }

        @Override
        float[] decode(int[] shape, int count, ByteBuffer in) {
            return decodeShorts(count, in, HalfFloats::fromBrain);
        }
    },
    /** Signed bytes with one scale per row. */
    INT8 {
        @Override
        byte[] encode(Tensor tensor) {
            int columns = columns(tensor.shape());
            int rows = columns == 0 ? 0 : tensor.size() / columns;
            ByteBuffer out = ByteBuffer.allocate(4 * rows + tensor.size());
            for (int r = 0; r < rows; r++) {
                float max = 0f;
                boolean finite = true;
                for (int c = 0; c < columns; c++) {
                    float v = tensor.get(r * columns + c);
                    finite &= Float.isFinite(v);
                    max = Math.max(max, Math.abs(v));
                }
                float scale = finite ? max / 127f : Float.NaN;
                out.putFloat(scale);
                for (int c = 0; c < columns; c++) {
                    float v = tensor.get(r * columns + c);
                    int q = finite && scale > 0f ? Math.round(v / scale) : 0;
                    out.put((byte) Math.max(-127, Math.min(127, q)));
                }
            }
            return out.array();
        }

        @Override
        float[] decode(int[] shape, int count, ByteBuffer in) {
            int columns = columns(shape);
            int rows = columns == 0 ? 0 : count / columns;
            requireLength(in, 4L * rows + count, count, "a 4-byte scale per row, 1 byte each");
            float[] values = new float[count];
            for (int r = 0; r < rows; r++) {
                float scale = in.getFloat();
                for (int c = 0; c < columns; c++) {
                    values[r * columns + c] = in.get() * scale;
                }
            }
            return values;
        }
    },
    /** Unsigned 16-bit integers: lossless for whole numbers in [0, 65535], refuses others. */
    UINT16 {
        @Override
        byte[] encode(Tensor tensor) {
            ByteBuffer out = ByteBuffer.allocate(2 * tensor.size());
            for (int i = 0; i < tensor.size(); i++) {
                float v = tensor.get(i);
                if (!(v >= 0f && v <= 65535f && v == Math.rint(v))) {
                    throw new CodecException(
                            "uint16 cannot hold " + v + " at index " + i + " exactly");
                }
                out.putShort((short) (int) v);
            }
            return out.array();
        }

        @Override
        float[] decode(int[] shape, int count, ByteBuffer in) {
            requireLength(in, 2L * count, count, "2 bytes each");
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = in.getShort() & 0xffff;
            }
            return values;
        }
    },
    /** Indices and values of the non-zero entries. */
    SPARSE {
        @Override
        byte[] encode(Tensor tensor) {
            int nonZero = 0;
            for (int i = 0; i < tensor.size(); i++) {
                nonZero += tensor.get(i) != 0f ? 1 : 0;
            }
            ByteBuffer out = ByteBuffer.allocate(4 + 8 * nonZero);
            out.putInt(nonZero);
            for (int i = 0; i < tensor.size(); i++) {
                if (tensor.get(i) != 0f) {
                    out.putInt(i);
                }
            }
            for (int i = 0; i < tensor.size(); i++) {
                if (tensor.get(i) != 0f) {
                    out.putFloat(tensor.get(i));
                }
            }
            return out.array();
        }

        @Override
        float[] decode(int[] shape, int count, ByteBuffer in) {
            if (in.remaining() < 4) {
                throw new CodecException("sparse values lack their count");
            }
            int nonZero = in.getInt();
            if (nonZero < 0 || nonZero > count) {
                throw new CodecException(
                        "sparse count " + nonZero + " does not fit " + count + " values");
            }
            requireLength(in, 8L * nonZero, nonZero, "an index and a value each");
            int[] indices = new int[nonZero];
            for (int j = 0; j < nonZero; j++) {
                indices[j] = in.getInt();
                if (indices[j] < 0
                        || indices[j] >= count
                        || (j > 0 && indices[j] <= indices[j - 1])) {
                    throw new CodecException(
                            "sparse index "
                                    + indices[j]
                                    + " is out of order or outside "
                                    + count
                                    + " values");
                }
            }
            float[] values = new float[count];
            for (int index : indices) {
                values[index] = in.getFloat();
            }
            return values;
        }
    };

    /** Writes a tensor's values. */
    abstract byte[] encode(Tensor tensor);

    /** Reads the {@code count} values of a tensor of this shape from {@code in}. */
    abstract float[] decode(int[] shape, int count, ByteBuffer in);

    /** Returns whether decoding gives back exactly the values encoded. */
    public boolean lossless() {
        return this == FP32 || this == SPARSE || this == UINT16;
    }

    /** Returns the encoding's name in configs: lower case, e.g. {@code fp16}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Returns the encoding with this config name.
     *
     * @throws IllegalArgumentException naming the unknown encoding and the known ones
     */
    public static ValueEncoding fromConfigName(String name) {
        for (ValueEncoding encoding : values()) {
            if (encoding.configName().equals(name)) {
                return encoding;
            }
        }
        throw new IllegalArgumentException(
                "unknown encoding '"
                        + name
                        + "'; known: "
                        + Arrays.stream(values()).map(ValueEncoding::configName).toList());
    }

    /**
     * Decodes the values a tensor of this shape was encoded to, from {@code length} bytes of {@code
     * bytes} at {@code offset}.
     *
     * @throws CodecException when the slice does not hold exactly such a tensor
     */
    public Tensor decodeValues(int[] shape, byte[] bytes, int offset, int length) {
        checkSlice(bytes, offset, length);
        int count;
        try {
            count = Tensor.elementCount(shape);
        } catch (IllegalArgumentException e) {
            throw new CodecException("tensor shape: " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).slice();
        float[] values = decode(shape, count, in);
        if (in.hasRemaining()) {
            throw new CodecException(
                    in.remaining() + " bytes left over after the " + count + " values");
        }
        return Tensor.wrap(shape.clone(), values);
    }

    /** Returns the most bytes a tensor of {@code count} values takes in this encoding. */
    long maxEncodedLength(int count) {
        switch (this) {
            case FP32:
                return 4L * count;
            case INT8:
                return 5L * count + 4;
            case SPARSE:
                return 8L * count + 4;
            case UINT16:
                return 2L * count;
            default:
                return 2L * count;
        }
    }

    /** Refuses a slice that does not lie within the array. */
    static void checkSlice(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new CodecException(
                    "slice of "
                            + length
                            + " bytes at "
                            + offset
                            + " lies outside "
                            + bytes.length
                            + " bytes");
        }
    }

    /** Returns the encoded values of a tensor. */
    public byte[] encodeValues(Tensor tensor) {
        return encode(tensor);
    }

    /** How a 16-bit encoding writes one float. */
    private interface ToShort {
        short apply(float value);
    }

    /** How a 16-bit encoding reads one float. */
    private interface FromShort {
        float apply(short bits);
    }

    private static byte[] encodeShorts(Tensor tensor, ToShort convert) {
        ByteBuffer out = ByteBuffer.allocate(2 * tensor.size());
        for (int i = 0; i < tensor.size(); i++) {
            out.putShort(convert.apply(tensor.get(i)));
        }
        return out.array();
    }

    private static float[] decodeShorts(int count, ByteBuffer in, FromShort convert) {
        requireLength(in, 2L * count, count, "2 bytes each");
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = convert.apply(in.getShort());
        }
        return values;
    }

    private static int columns(int[] shape) {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    private static void requireLength(ByteBuffer in, long needed, int count, String layout) {
        if (in.remaining() < needed) {
            throw new CodecException(
                    in.remaining()
                            + " bytes are too few for the "
                            + count
                            + " values of the shape ("
                            + layout
                            + ")");
        }
    }
}
