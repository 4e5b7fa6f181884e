package io.fedistill.core.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.runlog.EvaluationSummary;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoordinatorEvaluationTest {
    /**
     * Evaluation replies: p0 holds the common test set and a local split, p1 a local split only, p2
     * a half-reported test score.
     */
    private static final Map<String, Metrics> SCORES =
            Map.of(
                    "p0",
                    Metrics.of(
                            EvaluationProtocol.TEST_ACCURACY, 0.8,
                            EvaluationProtocol.TEST_LOSS, 0.5,
                            EvaluationProtocol.TEST_PREDICTED_CLASSES, 10,
                            EvaluationProtocol.LOCAL_ACCURACY, 0.9,
                            EvaluationProtocol.LOCAL_LOSS, 0.3,
                            EvaluationProtocol.LOCAL_SAMPLES, 30),
                    "p1",
                    Metrics.of(
                            EvaluationProtocol.LOCAL_ACCURACY, 0.6,
                            EvaluationProtocol.LOCAL_LOSS, 0.7,
                            EvaluationProtocol.LOCAL_SAMPLES, 10),
                    "p2",
                    Metrics.of(EvaluationProtocol.TEST_ACCURACY, 0.1));

    private static final class ScoringBackend implements FleetBackend {
        @Override
        public List<String> participantIds() {
            return List.of("p0", "p1", "p2");
        }

        @Override
        public ExchangeResult deliver(List<Message> requests, Duration deadline) {
            List<Message> replies =
                    requests.stream()
                            .map(r -> r.reply().optMetrics(SCORES.get(r.participantId())).build())
                            .toList();
            return new ExchangeResult(replies, List.of(), List.of());
        }

        @Override
        public void settle(List<String> accepted, List<String> rejected) {}
    }

    @Test
    void participantsWithoutACommonTestSetAreScoredOnTheirLocalSplitOnlyAndHalfAGroupIsRefused() {
        RunResult result =
                Coordinator.builder()
                        .setBackend(new ScoringBackend())
                        .setStrategy((context, fleet) -> Metrics.empty())
                        .setRounds(1)
                        .setSeed(1)
                        .optEvaluateEvery(1)
                        .build()
                        .run();
        EvaluationSummary summary = result.rounds().get(0).evaluation().orElseThrow();
        assertThat(summary.participantTestAccuracy()).containsOnlyKeys("p0");
        assertThat(summary.testLossMean()).isEqualTo(0.5);
        assertThat(summary.participantPredictedClasses()).containsOnlyKeys("p0");
        assertThat(summary.participantLocalAccuracy()).containsOnlyKeys("p0", "p1");
        assertThat(summary.localLossMean()).isEqualTo(0.5);
        // pooled: (0.9 * 30 + 0.6 * 10) / 40, not the mean of the two accuracies (0.75)
        assertThat(summary.localAccuracyPooled()).isCloseTo(0.825, within(1e-12));
        // half a group of scores is refused as a failed evaluation, naming the group
        assertThat(result.rounds().get(0).evaluationFailures())
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.participantId()).isEqualTo("p2");
                            assertThat(f.reason()).contains("without the rest of its group");
                        });
    }
}
