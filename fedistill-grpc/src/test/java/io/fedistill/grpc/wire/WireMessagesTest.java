package io.fedistill.grpc.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.codec.FeedbackMemory;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.grpc.proto.MessageHeader;
import io.fedistill.grpc.proto.TensorRole;
import io.fedistill.grpc.proto.ValueEncoding;
import org.junit.jupiter.api.Test;

/** Tensors on the wire: each header names its role and encoding; exact values stay exact. */
class WireMessagesTest {
    private static final MessageType PREDICT = MessageType.of("dsfl", "predict");

    private static Message softLabelReply() {
        float[] soft = new float[500 * 10];
        for (int i = 0; i < soft.length; i++) {
            soft[i] = (i % 10 == i / 10 % 10) ? 0.91f : 0.01f;
        }
        Message task = Message.builder(2, PREDICT, "p01").build();
        return task.reply()
                .optTensors(
                        TensorRecord.builder()
                                .put(
                                        "knowledge",
                                        Tensor.wrap(new int[] {500, 10}, soft),
                                        io.fedistill.core.tensor.TensorRole.PROBABILITIES)
                                .put(
                                        "label_counts",
                                        Tensor.vector(120, 0, 7, 33, 0, 0, 1, 2, 3, 4),
                                        io.fedistill.core.tensor.TensorRole.COUNTS)
                                .build())
                .optMetrics(Metrics.of("examples", 170))
                .build();
    }

    @Test
    void fp16SoftLabelsHalveTheBytesAndLeaveCountsExact() {
        Message reply = softLabelReply();
        WireMessages.Carried lossless = WireMessages.carry(reply, Codec.fp32(), false);
        WireMessages.Carried half =
                WireMessages.carry(reply, Codec.forName("up.probabilities=fp16"), false);
        assertThat(lossless.message()).isEqualTo(reply);
        assertThat((double) half.wireBytes() / lossless.wireBytes()).isBetween(0.49, 0.52);
        TensorRecord received = half.message().tensors();
        assertThat(received.role("knowledge"))
                .isEqualTo(io.fedistill.core.tensor.TensorRole.PROBABILITIES);
        assertThat(received.get("label_counts")).isEqualTo(reply.tensors().get("label_counts"));
        assertThat(received.role("label_counts"))
                .isEqualTo(io.fedistill.core.tensor.TensorRole.COUNTS);
        Tensor sent = reply.tensors().get("knowledge");
        for (int i = 0; i < sent.size(); i++) {
            assertThat(Math.abs(received.get("knowledge").get(i) - sent.get(i)))
                    .isLessThanOrEqualTo(sent.get(i) * 0x1p-11f);
        }
        // the codec applies to its direction only: the same message going down stays fp32
        WireMessages.Carried down =
                WireMessages.carry(reply, Codec.forName("up.probabilities=fp16"), true);
        assertThat(down.message().tensors()).isEqualTo(reply.tensors());
    }

    @Test
    void deflatedInt8SoftLabelsShrinkFurther() {
        Message reply = softLabelReply();
        long lossless = WireMessages.carry(reply, Codec.fp32(), false).wireBytes();
        long packed =
                WireMessages.carry(
                                reply,
                                Codec.forName("up.probabilities=int8,compression=deflate"),
                                false)
                        .wireBytes();
        assertThat(packed).isLessThan(lossless / 8);
    }

    @Test
    void aHeaderThatEncodesExactValuesLossilyIsRefused() {
        Message reply = softLabelReply();
        WireMessages.Outgoing outgoing = WireMessages.encode(reply, Codec.fp32(), Direction.UP);
        MessageHeader header = outgoing.header();
        assertThat(header.getTensors(1).getRole()).isEqualTo(TensorRole.ROLE_COUNTS);
        MessageHeader lossyCounts =
                header.toBuilder()
                        .setTensors(
                                1,
                                header.getTensors(1).toBuilder()
                                        .setEncoding(ValueEncoding.ENCODING_FP16)
                                        .setByteLength(20))
                        .build();
        byte[] payload = new byte[(int) header.getTensors(0).getByteLength() + 20];
        assertThatThrownBy(() -> WireMessages.decode(lossyCounts, payload))
                .isInstanceOf(WireException.class)
                .hasMessageContaining("'label_counts' holds counts, which must arrive exactly");
        MessageHeader unknownEncoding =
                header.toBuilder()
                        .setTensors(0, header.getTensors(0).toBuilder().setEncodingValue(42))
                        .build();
        assertThatThrownBy(() -> WireMessages.decode(unknownEncoding, outgoing.payload()))
                .isInstanceOf(WireException.class)
                .hasMessageContaining("'knowledge' has the unknown encoding number 42");
    }

    @Test
    void aTinyTensorClaimingAHugeShapeIsRefusedBeforeItsValuesAreAllocated() {
        MessageHeader header =
                MessageHeader.newBuilder()
                        .setId("m1")
                        .addTensors(
                                io.fedistill.grpc.proto.TensorHeader.newBuilder()
                                        .setName("bomb")
                                        .addShape(1 << 30)
                                        .setEncoding(ValueEncoding.ENCODING_SPARSE)
                                        .setByteLength(4))
                        .build();
        assertThatThrownBy(() -> WireMessages.declaredPayload(header, 1 << 20))
                .isInstanceOf(WireException.class)
                .hasMessageContaining("claims more values than the payload limit of 1048576 bytes");
    }

    @Test
    void topKWeightsTravelAsTheirChangeFromTheTaskAndComeBackWhole() {
        float[] global = new float[1000];
        float[] trained = new float[1000];
        for (int i = 0; i < global.length; i++) {
            global[i] = 0.5f;
            trained[i] = 0.5f + (i % 100 == 0 ? 1f : 0.001f);
        }
        Message task =
                Message.builder(3, MessageType.of("fedavg", "train"), "p02")
                        .optTensors(
                                TensorRecord.of(
                                        "w",
                                        Tensor.wrap(new int[] {1000}, global),
                                        io.fedistill.core.tensor.TensorRole.WEIGHTS))
                        .build();
        Message reply =
                task.reply()
                        .optTensors(
                                TensorRecord.of(
                                        "w",
                                        Tensor.wrap(new int[] {1000}, trained),
                                        io.fedistill.core.tensor.TensorRole.WEIGHTS))
                        .optMetrics(Metrics.of("examples", 10))
                        .build();
        Codec codec = Codec.forName("up.weights=topk:0.01");
        WireMessages.Carried sparse =
                WireMessages.carryReply(reply, codec, task, FeedbackMemory.inMemory());
        WireMessages.Carried whole =
                WireMessages.carryReply(reply, Codec.fp32(), task, FeedbackMemory.none());
        assertThat(sparse.wireBytes()).isLessThan(whole.wireBytes() / 10);
        float[] received = sparse.message().tensors().get("w").toFloatArray();
        // the ten large changes arrive on top of the task's weights; the small ones wait
        assertThat(received[0]).isEqualTo(1.5f);
        assertThat(received[1]).isEqualTo(0.5f);
        // a change cannot be decoded without the task it was taken from
        WireMessages.Outgoing outgoing =
                WireMessages.encode(
                        reply,
                        codec,
                        Direction.UP,
                        java.util.Optional.of(task),
                        FeedbackMemory.none());
        assertThatThrownBy(() -> WireMessages.decode(outgoing.header(), outgoing.payload()))
                .isInstanceOf(WireException.class)
                .hasMessageContaining("sent as a change from a task tensor");
    }
}
