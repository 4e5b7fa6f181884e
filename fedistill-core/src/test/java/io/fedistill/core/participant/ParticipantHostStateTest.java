package io.fedistill.core.participant;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Whether a coordinator may read and replace what a host's participants keep between rounds. */
class ParticipantHostStateTest {
    private static final MessageType TRAIN = MessageType.of("test", "train");

    /** A host whose participant p0 keeps its private weights after one training task. */
    private static ParticipantHost trained(ParticipantHost.Builder builder) {
        ParticipantHost host = builder.build();
        Message task = Message.builder(1, TRAIN, "p0").build();
        host.answer(task, host.open(task));
        host.settle(List.of(task.id()), List.of());
        return host;
    }

    private static ParticipantHost.Builder builder() {
        Learner learner =
                Learner.builder()
                        .on(
                                TRAIN,
                                (request, context) -> {
                                    context.state()
                                            .save(
                                                    "private",
                                                    TensorRecord.of(
                                                            "w",
                                                            Tensor.vector(0.3f, -1),
                                                            TensorRole.WEIGHTS));
                                    return request.reply().build();
                                })
                        .build();
        return ParticipantHost.builder(Map.of("p0", learner), new StateStore(Codec.fp32()), 5);
    }

    private static Message ask(ParticipantHost host, MessageType type) {
        Message request = Message.builder(2, type, "p0").build();
        return host.answer(request, host.open(request));
    }

    @Test
    void aSimulationsHostHandsItsStateOverForCheckpoints() {
        Message state = ask(trained(builder().optStateForCheckpoints()), MessageType.STATE);

        assertThat(state.isError()).isFalse();
        assertThat(state.tensors().isEmpty()).isFalse();
    }

    @Test
    void aHostKeepsItsStateFromTheCoordinatorByDefault() {
        ParticipantHost host = trained(builder());

        for (MessageType type : List.of(MessageType.STATE, MessageType.RESTORE)) {
            Message reply = ask(host, type);
            assertThat(reply.isError()).isTrue();
            assertThat(reply.error())
                    .get()
                    .asString()
                    .contains(
                            "p0 keeps its state to itself: a coordinator may neither read nor"
                                    + " replace it");
            assertThat(reply.tensors().isEmpty()).isTrue();
        }
    }
}
