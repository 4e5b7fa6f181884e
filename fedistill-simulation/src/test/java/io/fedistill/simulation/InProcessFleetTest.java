package io.fedistill.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageKind;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InProcessFleetTest {
    private final Learner echo =
            (request, context) -> {
                Optional<TensorRecord> previous = context.state().load("seen");
                context.state().save("seen", request.tensors());
                return request.reply()
                        .optTensors(request.tensors())
                        .optMetrics(Metrics.of("had_state", previous.isPresent() ? 1 : 0))
                        .build();
            };
    private final Learner slow =
            (request, context) -> {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return request.reply().build();
            };
    private final Learner broken =
            (request, context) -> {
                throw new IllegalStateException("disk full");
            };

    private static Message request(int round, String id) {
        return Message.builder(round, MessageKind.TRAIN, id)
                .optTensors(TensorRecord.of("w", Tensor.vector(1f, 2f, 3f)))
                .build();
    }

    @Test
    void countsEncodedBytesKeepsStateAndRecordsFailures() {
        Map<String, Learner> learners = new LinkedHashMap<>();
        learners.put("a", echo);
        learners.put("b", broken);
        learners.put("c", slow);
        CompactStateStore states = new CompactStateStore(Codec.fp32());
        try (InProcessFleet fleet =
                new InProcessFleet(learners, states, Codec.fp32(), 1, FailureInjection.none())) {
            ExchangeResult first =
                    fleet.deliver(
                            List.of(request(1, "a"), request(1, "b"), request(1, "c")),
                            Duration.ofMillis(300));
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
            long expectedDown = Codec.fp32().encode(request(1, "a")).length;
            assertThat(first.transfers()).contains(new Transfer("a", Direction.DOWN, expectedDown));
            long expectedUp = Codec.fp32().encode(first.replies().get(0)).length;
            assertThat(first.transfers()).contains(new Transfer("a", Direction.UP, expectedUp));
            assertThat(first.replies().get(0).metrics().get("had_state")).isEqualTo(0.0);
            assertThat(states.storedBytes()).isPositive();
        }
        try (InProcessFleet fleet =
                new InProcessFleet(
                        Map.of("a", echo),
                        states,
                        Codec.fp32(),
                        1,
                        new FailureInjection(Map.of("a", Set.of(3)), 0))) {
            Message second =
                    fleet.deliver(List.of(request(2, "a")), Duration.ofSeconds(5)).replies().get(0);
            assertThat(second.metrics().get("had_state")).isEqualTo(1.0);
            Message third =
                    fleet.deliver(List.of(request(3, "a")), Duration.ofSeconds(5)).replies().get(0);
            assertThat(third.error())
                    .get()
                    .asString()
                    .contains("simulated failure of a in round 3");
        }
    }
}
