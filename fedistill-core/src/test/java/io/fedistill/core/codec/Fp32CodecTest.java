package io.fedistill.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Fp32CodecTest {
    private final Codec codec = Codec.fp32();

    private static Message sample() {
        return Message.builder(3, MessageType.of("test", "train"), "p7")
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
                new Message(
                        message.id(),
                        message.replyTo(),
                        message.timeToLive(),
                        message.round(),
                        message.type(),
                        message.participantId(),
                        TensorRecord.empty(),
                        message.metrics(),
                        message.config(),
                        message.error());
        int withTensors = codec.encode(message).length;
        int withoutTensors = codec.encode(empty).length;
        // per tensor: name (2 + len), rank byte, 4 bytes per dim, role (2 + len), 4 bytes per value
        int expected = (2 + 1 + 1 + 2 * 4 + 2 + 5 + 4 * 4) + (2 + 1 + 1 + 4 + 2 + 5 + 4);
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
    void carriesIdsTimeToLiveAndNamespacedType() {
        Message request = sample();
        Message reply = request.reply().optMetrics(Metrics.of("examples", 1)).build();
        Message decoded = codec.decode(codec.encode(reply));
        assertThat(decoded.replyTo()).contains(request.id());
        assertThat(decoded.id()).isEqualTo(reply.id()).isNotEqualTo(request.id());
        assertThat(decoded.timeToLive()).isEqualTo(request.timeToLive());
        assertThat(decoded.type().name()).isEqualTo("test.train");
    }

    @Test
    void refusesMalformedMessageTypeByName() {
        byte[] bytes = codec.encode(sample());
        String encoded = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = encoded.indexOf("test.train");
        bytes[at + 5] = (byte) 'X'; // "test.train" -> "test.Xrain": not lower-case
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("message type 'test.Xrain' is not a namespaced name");
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
        assertThatThrownBy(() -> Codec.forName("fp8"))
                .hasMessageContaining("unknown encoding 'fp8'");
    }
}
