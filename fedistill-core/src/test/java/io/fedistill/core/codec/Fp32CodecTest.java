package io.fedistill.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageKind;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Fp32CodecTest {
    private final Codec codec = Codec.fp32();

    private static Message sample() {
        return Message.builder(3, MessageKind.TRAIN, "p7")
                .optTensors(
                        TensorRecord.builder()
                                .put(
                                        "w",
                                        Tensor.of(
                                                new int[] {2, 2},
                                                new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE}))
                                .put("b", Tensor.vector(0.5f))
                                .build())
                .optMetrics(Metrics.of("examples", 12, "loss", 0.25))
                .optConfig(
                        ConfigRecord.of("lr", 0.05, "epochs", 2, "optimizer", "sgd", "prox", true))
                .build();
    }

    @Test
    void roundTripIsExact() {
        Message message = sample();
        assertThat(codec.decode(codec.encode(message))).isEqualTo(message);
    }

    @Test
    void byteCountIsHeaderPlusFourBytesPerValue() {
        Message message = sample();
        Message empty =
                Message.builder(3, MessageKind.TRAIN, "p7")
                        .optMetrics(message.metrics())
                        .optConfig(message.config())
                        .build();
        int withTensors = codec.encode(message).length;
        int withoutTensors = codec.encode(empty).length;
        // per tensor: name (2 + len), rank byte, 4 bytes per dim, 4 bytes per value
        int expected = (2 + 1 + 1 + 2 * 4 + 4 * 4) + (2 + 1 + 1 + 4 + 4);
        assertThat(withTensors - withoutTensors).isEqualTo(expected);
    }

    @Test
    void errorRepliesRoundTrip() {
        Message failure = Message.failure(sample(), "out of memory");
        assertThat(codec.decode(codec.encode(failure))).isEqualTo(failure);
    }

    @Test
    void refusesUnknownVersionByName() {
        byte[] bytes = codec.encode(sample());
        // version sits after magic (4), name length (2) and "fp32" (4)
        ByteBuffer.wrap(bytes).putInt(10, 99);
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("'fp32' version 99 is unknown");
    }

    @Test
    void refusesTruncatedAndForeignBytes() {
        byte[] bytes = codec.encode(sample());
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, 4, 5}))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> Codec.forName("fp8")).hasMessageContaining("unknown codec 'fp8'");
    }
}
