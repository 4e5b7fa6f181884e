package io.fedistill.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplySpecTest {
    private final Message request =
            Message.builder(1, MessageType.of("test", "train"), "p0").build();
    private final ReplySpec spec =
            ReplySpec.tensors(
                    Map.of("logits", new TensorSpec(new int[] {2, 3}, TensorRole.LOGITS)),
                    "examples");

    private Message reply(TensorRecord tensors, Metrics metrics) {
        return request.reply().optTensors(tensors).optMetrics(metrics).build();
    }

    @Test
    void acceptsMatchingReply() {
        Message ok =
                reply(
                        TensorRecord.of("logits", Tensor.zeros(2, 3), TensorRole.LOGITS),
                        Metrics.of("examples", 4));
        assertThat(spec.check(request, ok)).isEmpty();
    }

    @Test
    void countsMayBeLeftOutOnlyWhereTheSpecAllowsThemToBeWithheld() {
        ReplySpec withCounts =
                ReplySpec.tensors(
                        Map.of(
                                "logits",
                                new TensorSpec(new int[] {2, 3}, TensorRole.LOGITS),
                                "counts",
                                new TensorSpec(new int[] {3}, TensorRole.COUNTS)),
                        "examples");
        Message withoutCounts =
                reply(
                        TensorRecord.of("logits", Tensor.zeros(2, 3), TensorRole.LOGITS),
                        Metrics.of("examples", 4));
        assertThat(withCounts.check(request, withoutCounts))
                .get()
                .asString()
                .contains("do not match expected");
        ReplySpec withheld = withCounts.allowingWithheldCounts();
        assertThat(withheld.check(request, withoutCounts)).isEmpty();
        // counts that do come are checked as before, and nothing else may be left out
        Message wrongCounts =
                reply(
                        TensorRecord.builder()
                                .put("logits", Tensor.zeros(2, 3), TensorRole.LOGITS)
                                .put("counts", Tensor.vector(1, 2), TensorRole.COUNTS)
                                .build(),
                        Metrics.of("examples", 4));
        assertThat(withheld.check(request, wrongCounts))
                .get()
                .asString()
                .contains("'counts' has shape [2], expected [3]");
        Message onlyCounts =
                reply(
                        TensorRecord.of("counts", Tensor.vector(1, 2, 3), TensorRole.COUNTS),
                        Metrics.of("examples", 4));
        assertThat(withheld.check(request, onlyCounts))
                .get()
                .asString()
                .contains("do not match expected");
    }

    @Test
    void rejectsWrongNameShapeNaNAndMissingMetric() {
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of(
                                                "logit", Tensor.zeros(2, 3), TensorRole.LOGITS),
                                        Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("do not match expected [logits]");
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of(
                                                "logits", Tensor.zeros(3, 2), TensorRole.LOGITS),
                                        Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("has shape [3, 2], expected [2, 3]");
        Tensor nan = Tensor.of(new int[] {2, 3}, new float[] {0, 0, Float.NaN, 0, 0, 0});
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of("logits", nan, TensorRole.LOGITS),
                                        Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("NaN");
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of(
                                                "logits", Tensor.zeros(2, 3), TensorRole.LOGITS),
                                        Metrics.empty())))
                .get()
                .asString()
                .contains("lacks metric 'examples'");
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of(
                                                "logits", Tensor.zeros(2, 3), TensorRole.LOGITS),
                                        Metrics.of("examples", Double.POSITIVE_INFINITY))))
                .get()
                .asString()
                .contains("metric 'examples' is Infinity");
    }

    @Test
    void rejectsMisaddressedAndErrorReplies() {
        Message unrelated =
                Message.builder(1, MessageType.of("test", "train"), "p0")
                        .optTensors(
                                TensorRecord.of("logits", Tensor.zeros(2, 3), TensorRole.LOGITS))
                        .optMetrics(Metrics.of("examples", 1))
                        .build();
        assertThat(spec.check(request, unrelated))
                .get()
                .asString()
                .contains("reply answers message (none), expected " + request.id());
        Message ok =
                reply(
                        TensorRecord.of("logits", Tensor.zeros(2, 3), TensorRole.LOGITS),
                        Metrics.of("examples", 4));
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

    @Test
    void rejectsAWrongRoleAndValuesOutsideTheirRolesBounds() {
        assertThat(
                        spec.check(
                                request,
                                reply(
                                        TensorRecord.of("logits", Tensor.zeros(2, 3)),
                                        Metrics.of("examples", 4))))
                .get()
                .asString()
                .contains("tensor 'logits' is declared exact, expected logits");
        ReplySpec soft =
                ReplySpec.tensors(
                        Map.of(
                                "soft",
                                new TensorSpec(new int[] {2}, TensorRole.PROBABILITIES),
                                "counts",
                                new TensorSpec(new int[] {2}, TensorRole.COUNTS)));
        Tensor counts = Tensor.vector(3, 0);
        assertThat(
                        soft.check(
                                request,
                                reply(
                                        TensorRecord.builder()
                                                .put(
                                                        "soft",
                                                        Tensor.vector(0.2f, 1.25f),
                                                        TensorRole.PROBABILITIES)
                                                .put("counts", counts, TensorRole.COUNTS)
                                                .build(),
                                        Metrics.empty())))
                .get()
                .asString()
                .contains("tensor 'soft' (probabilities): probability 1.25 at index 1");
        assertThat(
                        soft.check(
                                request,
                                reply(
                                        TensorRecord.builder()
                                                .put(
                                                        "soft",
                                                        Tensor.vector(0.2f, 0.8f),
                                                        TensorRole.PROBABILITIES)
                                                .put(
                                                        "counts",
                                                        Tensor.vector(2.5f, 0),
                                                        TensorRole.COUNTS)
                                                .build(),
                                        Metrics.empty())))
                .get()
                .asString()
                .contains("count 2.5 at index 0 is not a non-negative whole number");
        assertThat(
                        soft.check(
                                request,
                                reply(
                                        TensorRecord.builder()
                                                .put(
                                                        "soft",
                                                        Tensor.vector(0.2f, 0.8f),
                                                        TensorRole.PROBABILITIES)
                                                .put("counts", counts, TensorRole.COUNTS)
                                                .build(),
                                        Metrics.empty())))
                .isEmpty();
    }
}
