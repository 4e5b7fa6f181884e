package io.fedistill.core.participant;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.attack.AttackConfig;
import io.fedistill.core.attack.AttackKind;
import io.fedistill.core.attack.Attackers;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A host whose attacking participants' uploads are tampered with before they leave. */
class ParticipantHostAttackTest {
    private static final MessageType TRAIN = MessageType.of("test", "train");

    private static ParticipantHost host(Attackers attackers) {
        Map<String, Learner> learners = new LinkedHashMap<>();
        for (String id : List.of("p0", "p1", "p2", "p3")) {
            learners.put(
                    id,
                    Learner.builder()
                            .on(
                                    TRAIN,
                                    (request, context) ->
                                            request.reply()
                                                    .optTensors(
                                                            TensorRecord.builder()
                                                                    .put(
                                                                            "w",
                                                                            Tensor.vector(1, -2),
                                                                            TensorRole.WEIGHTS)
                                                                    .put(
                                                                            "n",
                                                                            Tensor.vector(5),
                                                                            TensorRole.COUNTS)
                                                                    .build())
                                                    .optMetrics(Metrics.of("examples", 5))
                                                    .build())
                            .on(
                                    MessageType.EVALUATE,
                                    (request, context) ->
                                            request.reply()
                                                    .optMetrics(Metrics.of("test_acc", 0.5))
                                                    .build())
                            .build());
        }
        return ParticipantHost.builder(learners, new StateStore(Codec.fp32()), 9)
                .optAttackers(attackers)
                .build();
    }

    private static Message answer(ParticipantHost host, String id) {
        Message request = Message.builder(1, TRAIN, id).build();
        return host.answer(request, host.open(request));
    }

    @Test
    void attackersSendTamperedWeightsAndExactCountsWhileTheOthersSendTheirOwn() {
        AttackConfig attack = new AttackConfig(AttackKind.SCALED_WEIGHTS, 0.5, -10, 3);
        Attackers attackers = Attackers.of(attack, List.of("p3", "p1", "p0", "p2"));
        assertThat(attackers.ids()).hasSize(2);
        ParticipantHost host = host(attackers);
        for (String id : List.of("p0", "p1", "p2", "p3")) {
            Message reply = answer(host, id);
            float[] expected = attackers.attacks(id) ? new float[] {-10, 20} : new float[] {1, -2};
            assertThat(reply.tensors().get("w").toFloatArray()).as(id).containsExactly(expected);
            assertThat(reply.tensors().role("w")).isEqualTo(TensorRole.WEIGHTS);
            assertThat(reply.tensors().get("n").toFloatArray()).containsExactly(5f);
            assertThat(reply.metrics().get("examples")).isEqualTo(5);
        }
        // an attacker's evaluation is its own model's, untouched
        String attacker = attackers.ids().iterator().next();
        Message evaluate = Message.builder(1, MessageType.EVALUATE, attacker).build();
        assertThat(host.answer(evaluate, host.open(evaluate)).metrics().get("test_acc"))
                .isEqualTo(0.5);
    }

    @Test
    void withoutAttackersEveryReplyIsTheLearnersOwn() {
        ParticipantHost host = host(Attackers.none());
        assertThat(answer(host, "p2").tensors().get("w").toFloatArray()).containsExactly(1f, -2f);
    }

    @Test
    void anUploadAttackThatFindsNothingToChangeIsToldApart() {
        Message request = Message.builder(1, TRAIN, "p0").build();
        Message trained =
                request.reply()
                        .optTensors(TensorRecord.of("w", Tensor.vector(1, -2), TensorRole.WEIGHTS))
                        .build();
        for (AttackKind kind : AttackKind.values()) {
            Attackers attackers =
                    Attackers.of(new AttackConfig(kind, 1, -10, 3), List.of("p0", "p1"));
            boolean unchanged = attackers.leftUnchanged(trained, attackers.tamper(trained, 9));
            // features and logits attacks find no tensor of theirs among the weights; label
            // flipping acts on training, and the weight attacks change the weights
            assertThat(unchanged)
                    .as(kind.configName())
                    .isEqualTo(
                            List.of(
                                            AttackKind.RANDOM_LOGITS,
                                            AttackKind.INVERTED_LOGITS,
                                            AttackKind.RANDOM_FEATURES,
                                            AttackKind.SCALED_FEATURES)
                                    .contains(kind));
        }
        assertThat(Attackers.none().leftUnchanged(trained, trained)).isFalse();
    }
}
