package io.fedistill.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.MessageHandler;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.grpc.wire.WireMessages;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InProcessFleetTest {
    private static final MessageType TRAIN = MessageType.of("test", "train");

    private static Learner answering(MessageHandler handler) {
        return Learner.builder().on(TRAIN, handler).build();
    }

    private final Learner echo =
            answering(
                    (request, context) -> {
                        Optional<TensorRecord> previous = context.state().load("seen");
                        context.state().save("seen", request.tensors());
                        return request.reply()
                                .optTensors(request.tensors())
                                .optMetrics(Metrics.of("had_state", previous.isPresent() ? 1 : 0))
                                .build();
                    });
    private final Learner slowWriter =
            answering(
                    (request, context) -> {
                        try {
                            Thread.sleep(1_000);
                        } catch (InterruptedException e) {
                            // keeps going, as a training step that ignores interrupts would
                        }
                        context.state().save("seen", request.tensors());
                        return request.reply().build();
                    });
    private final Learner broken =
            answering(
                    (request, context) -> {
                        throw new IllegalStateException("disk full");
                    });

    private static Message request(int round, String id) {
        return Message.builder(round, TRAIN, id)
                .optTensors(TensorRecord.of("w", Tensor.vector(1f, 2f, 3f)))
                .build();
    }

    private static List<String> ids(List<Message> requests) {
        return requests.stream().map(Message::id).toList();
    }

    @Test
    void countsEncodedBytesAndRecordsFailures() {
        Map<String, Learner> learners = new LinkedHashMap<>();
        learners.put("a", echo);
        learners.put("b", broken);
        learners.put("c", slowWriter);
        StateStore states = new StateStore(Codec.fp32());
        try (InProcessFleet fleet =
                new InProcessFleet(
                        new ParticipantHost(learners, states, 1, FailureInjection.none()),
                        Codec.fp32())) {
            List<Message> requests = List.of(request(1, "a"), request(1, "b"), request(1, "c"));
            ExchangeResult first = fleet.deliver(requests, Duration.ofMillis(300));
            assertThat(first.replies())
                    .extracting(Message::participantId)
                    .containsExactly("a", "b");
            assertThat(first.replies().get(1).error()).get().asString().contains("disk full");
            assertThat(first.failures())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.participantId()).isEqualTo("c");
                                assertThat(f.reason()).contains("missed the deadline");
                            });
            long expectedDown = WireMessages.carry(requests.get(0), Codec.fp32(), true).wireBytes();
            assertThat(first.transfers()).contains(new Transfer("a", Direction.DOWN, expectedDown));
            long expectedUp =
                    WireMessages.carry(first.replies().get(0), Codec.fp32(), false).wireBytes();
            assertThat(first.transfers()).contains(new Transfer("a", Direction.UP, expectedUp));
            assertThat(first.replies().get(0).metrics().get("had_state")).isEqualTo(0.0);
            Message unknown = Message.builder(1, MessageType.of("test", "other"), "a").build();
            assertThat(fleet.deliver(List.of(unknown), Duration.ofSeconds(5)).replies())
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat(r.error())
                                            .get()
                                            .asString()
                                            .contains("unknown message type 'test.other'")
                                            .contains("[test.train]"));
        }
    }

    @Test
    void stateIsCommittedOnlyWhenTheCoordinatorAcceptsTheReply() throws Exception {
        Map<String, Learner> learners = new LinkedHashMap<>();
        learners.put("a", echo);
        learners.put("late", slowWriter);
        StateStore states = new StateStore(Codec.fp32());
        try (InProcessFleet fleet =
                new InProcessFleet(
                        new ParticipantHost(learners, states, 1, FailureInjection.none()),
                        Codec.fp32())) {
            List<Message> rejected = List.of(request(1, "a"));
            fleet.deliver(rejected, Duration.ofSeconds(5));
            fleet.settle(List.of(), ids(rejected));
            assertThat(states.storedBytes()).isZero();

            List<Message> retried = List.of(request(1, "a"));
            Message retry = fleet.deliver(retried, Duration.ofSeconds(5)).replies().get(0);
            assertThat(retry.metrics().get("had_state"))
                    .as("a retried task starts from the state before the rejected one")
                    .isEqualTo(0.0);
            fleet.settle(ids(retried), List.of());
            assertThat(states.storedBytes()).isPositive();
            Message next =
                    fleet.deliver(List.of(request(2, "a")), Duration.ofSeconds(5)).replies().get(0);
            assertThat(next.metrics().get("had_state")).isEqualTo(1.0);

            long before = states.storedBytes();
            List<Message> late = List.of(request(2, "late"));
            assertThat(fleet.deliver(late, Duration.ofMillis(100)).failures()).hasSize(1);
            fleet.settle(List.of(), ids(late));
            Thread.sleep(1_500); // the late handler finishes and writes after it was settled
            assertThat(states.storedBytes())
                    .as("a late reply leaves no state behind")
                    .isEqualTo(before);
        }
    }

    @Test
    void simulatedCrashesFailTrainingRequests() {
        StateStore states = new StateStore(Codec.fp32());
        try (InProcessFleet fleet =
                new InProcessFleet(
                        new ParticipantHost(
                                Map.of("a", echo),
                                states,
                                1,
                                new FailureInjection(Map.of("a", Set.of(3)), 0)),
                        Codec.fp32())) {
            assertThat(fleet.deliver(List.of(request(2, "a")), Duration.ofSeconds(5)).replies())
                    .singleElement()
                    .satisfies(r -> assertThat(r.isError()).isFalse());
            Message third =
                    fleet.deliver(List.of(request(3, "a")), Duration.ofSeconds(5)).replies().get(0);
            assertThat(third.error())
                    .get()
                    .asString()
                    .contains("simulated failure of a in round 3");
        }
    }
}
