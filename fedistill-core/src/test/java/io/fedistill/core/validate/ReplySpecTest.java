package io.fedistill.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplySpecTest {
    private final Message request =
            Message.builder(1, MessageType.of("test", "train"), "p0").build();
    private final ReplySpec spec =
            ReplySpec.tensors(Map.of("logits", new int[] {2, 3}), "examples");

    private Message reply(TensorRecord tensors, Metrics metrics) {
        return request.reply().optTensors(tensors).optMetrics(metrics).build();
    }

    @Test
    void acceptsMatchingReply() {
        Message ok =
                reply(TensorRecord.of("logits", Tensor.zeros(2, 3)), Metrics.of("examples", 4));
        assertThat(spec.check(request, ok)).isEmpty();
    }

    @Test
    void rejectsWrongNameShapeNaNAndMissingMetric() {
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of("logit", Tensor.zeros(2, 3)),
                                        Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("do not match expected [logits]");
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of("logits", Tensor.zeros(3, 2)),
                                        Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("has shape [3, 2], expected [2, 3]");
        Tensor nan = Tensor.of(new int[] {2, 3}, new float[] {0, 0, Float.NaN, 0, 0, 0});
        assertThat(
                        spec.check(
                                request,
                                reply(TensorRecord.of("logits", nan), Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("NaN");
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of("logits", Tensor.zeros(2, 3)),
                                        Metrics.empty())))
                .get()
                .asString()
                .contains("lacks metric 'examples'");
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of("logits", Tensor.zeros(2, 3)),
                                        Metrics.of("examples", Double.POSITIVE_INFINITY))))
                .get()
                .asString()
                .contains("metric 'examples' is Infinity");
    }

    @Test
    void rejectsMisaddressedAndErrorReplies() {
        Message unrelated =
                Message.builder(1, MessageType.of("test", "train"), "p0")
                        .optTensors(TensorRecord.of("logits", Tensor.zeros(2, 3)))
                        .optMetrics(Metrics.of("examples", 1))
                        .build();
        assertThat(spec.check(request, unrelated))
                .get()
                .asString()
                .contains("reply answers message (none), expected " + request.id());
        Message ok =
                reply(TensorRecord.of("logits", Tensor.zeros(2, 3)), Metrics.of("examples", 4));
        Message fromOther =
                new Message(
                        ok.id(),
                        ok.replyTo(),
                        ok.timeToLive(),
                        ok.round(),
                        ok.type(),
                        "p1",
                        ok.tensors(),
                        ok.metrics(),
                        ok.config(),
                        ok.error());
        assertThat(spec.check(request, fromOther)).get().asString().contains("addressed to p1");
        assertThat(spec.check(request, Message.failure(request, "boom")))
                .get()
                .asString()
                .contains("boom");
    }
}
