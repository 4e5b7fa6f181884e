package io.fedistill.algorithms.fedavg;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightAveragingStrategyTest {
    private static final TensorRecord INITIAL =
            TensorRecord.builder().put("w", Tensor.of(new int[] {2}, new float[] {1, 2})).build();
    private static final List<String> ALL = List.of("p0", "p1", "p2");

    /**
     * Participants that answer {@code init} with the shared initial weights (except the silent
     * ones) and {@code train} with the weights they were sent plus their index, for {@code index +
     * 1} examples.
     */
    private static final class ScriptedFleet implements Fleet {
        final Set<String> silent;
        final List<Message> received = new ArrayList<>();

        ScriptedFleet(Set<String> silent) {
            this.silent = silent;
        }

        @Override
        public List<String> participantIds() {
            return ALL;
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            received.addAll(requests);
            List<Message> replies = new ArrayList<>();
            List<ParticipantFailure> failed = new ArrayList<>();
            for (Message request : requests) {
                String id = request.participantId();
                if (silent.contains(id)) {
                    failed.add(new ParticipantFailure(id, request.round(), "offline"));
                    continue;
                }
                int index = ALL.indexOf(id);
                Message reply =
                        request.type().name().endsWith(".init")
                                ? request.reply().optTensors(INITIAL).build()
                                : request.reply()
                                        .optTensors(plus(request.tensors(), index))
                                        .optMetrics(Metrics.of("examples", index + 1))
                                        .build();
                assertThat(spec.check(request, reply))
                        .as("the strategy's own reply spec")
                        .isEmpty();
                replies.add(reply);
            }
            return new ExchangeResult(replies, failed, List.of());
        }
    }

    private static TensorRecord plus(TensorRecord record, float add) {
        float[] w = record.get("w").toFloatArray();
        return TensorRecord.builder()
                .put("w", Tensor.of(new int[] {2}, new float[] {w[0] + add, w[1] + add}))
                .build();
    }

    @Test
    void withoutModelCodeTheFirstGlobalModelComesFromTheFirstParticipantThatAnswers() {
        ScriptedFleet fleet = new ScriptedFleet(Set.of("p0"));
        Strategy strategy = WeightAveragingSettings.fedAvg(Map.of()).newStrategy(Optional.empty());
        assertThat(strategy.globalModel()).isEmpty();
        assertThat(strategy.snapshot().isEmpty()).isTrue();

        Metrics metrics = strategy.runRound(new RoundContext(1, 3, 5, ALL), fleet);

        // p0 is silent, p1 gives the initial weights; then p1 (+1, weight 2) and p2 (+2, weight 3)
        assertThat(fleet.received.stream().map(m -> m.type().name() + "@" + m.participantId()))
                .containsExactly(
                        "fedavg.init@p0",
                        "fedavg.init@p1",
                        "fedavg.train@p0",
                        "fedavg.train@p1",
                        "fedavg.train@p2");
        assertThat(metrics.get("participants_aggregated")).isEqualTo(2);
        assertThat(strategy.globalModel().orElseThrow().get("w").toFloatArray())
                .containsExactly(1 + 1.6f, 2 + 1.6f);
    }

    @Test
    void aRoundWithNobodyToGiveWeightsTrainsNobodyAndTheNextRoundAsksAgain() {
        Strategy strategy =
                WeightAveragingSettings.fedProx(Map.of("mu", 0.5)).newStrategy(Optional.empty());
        assertThat(
                        strategy.runRound(
                                        new RoundContext(1, 2, 5, ALL),
                                        new ScriptedFleet(Set.copyOf(ALL)))
                                .get("participants_aggregated"))
                .isZero();
        ScriptedFleet fleet = new ScriptedFleet(Set.of());
        strategy.runRound(new RoundContext(2, 2, 5, List.of("p2")), fleet);
        assertThat(fleet.received.get(0).type().name()).isEqualTo("fedprox.init");
        assertThat(fleet.received.get(1).config().getDouble("mu")).isEqualTo(0.5);
    }

    @Test
    void aCheckpointTakenBeforeAnyModelArrivedRestoresToNoModel() {
        Strategy started = WeightAveragingSettings.fedAvg(Map.of()).newStrategy(Optional.empty());
        started.runRound(new RoundContext(1, 2, 5, ALL), new ScriptedFleet(Set.of()));
        Strategy resumed = WeightAveragingSettings.fedAvg(Map.of()).newStrategy(Optional.empty());
        resumed.restore(started.snapshot());
        assertThat(resumed.globalModel()).isEqualTo(started.globalModel());
        Strategy empty = WeightAveragingSettings.fedAvg(Map.of()).newStrategy(Optional.empty());
        empty.restore(TensorRecord.empty());
        assertThat(empty.globalModel()).isEmpty();
    }

    @Test
    void aRobustRuleReplacesTheMeanAndKrumReportsWhomItLeftOut() {
        ScriptedFleet fleet = new ScriptedFleet(Set.of());
        Strategy median =
                WeightAveragingSettings.fedAvg(Map.of("robust", "median"))
                        .newStrategy(Optional.of(INITIAL));
        Metrics metrics = median.runRound(new RoundContext(1, 3, 5, ALL), fleet);
        // the participants send +0, +1 and +2: the median is +1 whatever their example counts
        assertThat(median.globalModel().orElseThrow().get("w").toFloatArray())
                .containsExactly(2f, 3f);
        assertThat(metrics.find("participants_excluded")).isEmpty();
        Strategy krum =
                WeightAveragingSettings.fedProx(
                                Map.of("robust", "krum", "assumedByzantine", 0, "mu", 0.1))
                        .newStrategy(Optional.of(INITIAL));
        Metrics kept = krum.runRound(new RoundContext(1, 3, 5, ALL), fleet);
        // every update's nearest neighbour is 2 away (squared); the tie goes to p0's, sent back
        assertThat(krum.globalModel().orElseThrow().get("w").toFloatArray())
                .containsExactly(1f, 2f);
        assertThat(kept.get("participants_excluded")).isEqualTo(2);
    }

    @Test
    void robustOptionsThatDoNotApplyOrDoNotParseAreRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> WeightAveragingSettings.fedAvg(Map.of("trimFraction", 0.2)))
                .hasMessageContaining("option 'trimFraction' does not apply to robust: mean");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> WeightAveragingSettings.fedAvg(Map.of("robust", "mode")))
                .hasMessageContaining("robust")
                .hasMessageContaining("mode");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                WeightAveragingSettings.fedAvg(
                                        Map.of("robust", "trimmed-mean", "trimFraction", 0.7)))
                .hasMessageContaining("trimFraction");
    }
}
