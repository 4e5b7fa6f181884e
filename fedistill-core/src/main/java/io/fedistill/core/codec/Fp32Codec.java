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

    @Override
    protected void writeValues(Tensor tensor, DataOutputStream out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4 * tensor.size());
        buffer.asFloatBuffer().put(tensor.toFloatArray());
        out.write(buffer.array());
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
