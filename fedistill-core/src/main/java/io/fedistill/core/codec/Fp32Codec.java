package io.fedistill.core.codec;

import io.fedistill.core.tensor.Tensor;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The lossless codec: every value as a big-endian IEEE-754 32-bit float. */
final class Fp32Codec extends FramedCodec {
    static final String NAME = "fp32";
    static final Fp32Codec INSTANCE = new Fp32Codec();

    private Fp32Codec() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 2;
    }

    /** Writes the big-endian floats straight into one array (the same bytes as writeValues). */
    @Override
    public byte[] encodeValues(Tensor tensor) {
        byte[] bytes = new byte[4 * tensor.size()];
        tensor.copyTo(ByteBuffer.wrap(bytes).asFloatBuffer());
        return bytes;
    }

    /** Reads the floats straight from the slice; it must hold exactly the shape's values. */
    @Override
    public Tensor decodeValues(int[] shape, byte[] bytes, int offset, int length) {
        checkSlice(bytes, offset, length);
        int count = checkedElementCount(shape);
        if (4L * count != length) {
            throw new CodecException(
                    length
                            + " bytes do not hold the "
                            + count
                            + " values of the shape (4 bytes each)");
        }
        float[] values = new float[count];
        ByteBuffer.wrap(bytes, offset, length).asFloatBuffer().get(values);
        return Tensor.wrap(shape, values);
    }

    @Override
    protected void writeValues(Tensor tensor, DataOutputStream out) throws IOException {
        out.write(encodeValues(tensor));
    }

    @Override
    protected float[] readValues(int count, DataInputStream in) throws IOException {
        byte[] raw = new byte[4 * count];
        in.readFully(raw);
        float[] values = new float[count];
        ByteBuffer.wrap(raw).asFloatBuffer().get(values);
        return values;
    }
}
