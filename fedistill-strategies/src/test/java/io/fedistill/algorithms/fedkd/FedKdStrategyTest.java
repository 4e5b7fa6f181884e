package io.fedistill.algorithms.fedkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FedKdStrategyTest {
    private static final int ROWS = 24;
    private static final int COLUMNS = 20;

    private static TensorRecord mentee(Random random) {
        float[] w = new float[ROWS * COLUMNS];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        float[] b = new float[COLUMNS];
        return TensorRecord.builder()
                .put("w", Tensor.wrap(new int[] {ROWS, COLUMNS}, w), TensorRole.WEIGHTS)
                .put("b", Tensor.wrap(new int[] {COLUMNS}, b), TensorRole.WEIGHTS)
                .build();
    }

    private static ParticipantState stateIn(Map<String, TensorRecord> map) {
        return new ParticipantState() {
            @Override
            public Optional<TensorRecord> load(String key) {
                return Optional.ofNullable(map.get(key));
            }

            @Override
            public void save(String key, TensorRecord record) {
                map.put(key, record);
            }
        };
    }

    /**
     * Participants that keep their state in maps, start from {@link KeptMentee#startOf} and "train"
     * by a rank-one change of their own, uploading it compressed when asked; a participant that
     * cannot start gives no reply, as a host turns its exception into a failure.
     */
    private static final class KeepingFleet implements Fleet {
        final Map<String, Map<String, TensorRecord>> states = new HashMap<>();
        final Map<String, TensorRecord> starts = new LinkedHashMap<>();
        final Map<String, RuntimeException> refusals = new LinkedHashMap<>();
        final List<Message> received = new ArrayList<>();

        @Override
        public List<String> participantIds() {
            return List.of("p0", "p1", "p2");
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            received.addAll(requests);
            List<Message> replies = new ArrayList<>();
            List<ParticipantFailure> failures = new ArrayList<>();
            for (Message request : requests) {
                String id = request.participantId();
                Map<String, TensorRecord> map = states.computeIfAbsent(id, k -> new HashMap<>());
                ParticipantState state = stateIn(map);
                TensorRecord start;
                try {
                    start = KeptMentee.startOf(request, state);
                } catch (RuntimeException e) {
                    refusals.put(id, e);
                    failures.add(new ParticipantFailure(id, request.round(), e.getMessage()));
                    continue;
                }
                starts.put(id, start);
                TensorRecord trained = trainedFrom(start, id.hashCode() + request.round());
                TensorRecord upload =
                        request.config().has(FedKdStrategy.ENERGY)
                                ? TruncatedSvd.compress(
                                        trained,
                                        start,
                                        request.config().getDouble(FedKdStrategy.ENERGY))
                                : trained;
                replies.add(
                        request.reply()
                                .optTensors(upload)
                                .optMetrics(Metrics.of("examples", 10))
                                .build());
            }
            return new ExchangeResult(replies, failures, List.of());
        }

        private static TensorRecord trainedFrom(TensorRecord start, long seed) {
            Random random = new Random(seed);
            float[] w = start.get("w").toFloatArray();
            double[] left = random.doubles(ROWS).toArray();
            double[] right = random.doubles(COLUMNS).toArray();
            for (int i = 0; i < ROWS; i++) {
                for (int j = 0; j < COLUMNS; j++) {
                    w[i * COLUMNS + j] += (float) (0.1 * left[i] * right[j]);
                }
            }
            return TensorRecord.builder()
                    .put("w", Tensor.wrap(new int[] {ROWS, COLUMNS}, w), TensorRole.WEIGHTS)
                    .put("b", start.get("b"), TensorRole.WEIGHTS)
                    .build();
        }

        List<Message> requestsOf(int round) {
            return received.stream().filter(m -> m.round() == round).toList();
        }
    }

    private static FedKdStrategy compressed(TensorRecord initial) {
        return new FedKdStrategy(
                FedKdSettings.fromOptions(
                        Map.of(
                                "model",
                                "mlp:32",
                                "svd",
                                true,
                                "energyStart",
                                0.99,
                                "energyEnd",
                                0.995)),
                initial);
    }

    @Test
    void keepersGetTheChangeAsFactorsAndEveryoneStartsFromOneMentee() {
        FedKdStrategy strategy = compressed(mentee(new Random(1)));
        KeepingFleet fleet = new KeepingFleet();

        strategy.runRound(new RoundContext(1, 4, 7, List.of("p0", "p1")), fleet);
        assertThat(fleet.requestsOf(1))
                .allSatisfy(
                        m -> {
                            assertThat(m.config().has(FedKdStrategy.BASE_ROUND)).isFalse();
                            assertThat(m.tensors().names()).containsExactly("w", "b");
                        });

        fleet.starts.clear();
        strategy.runRound(new RoundContext(2, 4, 7, List.of("p0", "p1", "p2")), fleet);
        Map<String, Message> round2 = new HashMap<>();
        fleet.requestsOf(2).forEach(m -> round2.put(m.participantId(), m));
        // p0 and p1 kept round 1's start: the change from it, as factors of a rank-two change
        for (String keeper : List.of("p0", "p1")) {
            assertThat(round2.get(keeper).config().getLong(FedKdStrategy.BASE_ROUND)).isEqualTo(1);
            assertThat(round2.get(keeper).tensors().names()).containsExactly("w#u", "w#v", "b");
            assertThat(round2.get(keeper).tensors().elementCount())
                    .isLessThan(round2.get("p2").tensors().elementCount() / 2);
        }
        // p2 is new: the same mentee whole
        assertThat(round2.get("p2").config().has(FedKdStrategy.BASE_ROUND)).isFalse();
        assertThat(fleet.starts.get("p0")).isEqualTo(fleet.starts.get("p2"));
        assertThat(fleet.starts.get("p1")).isEqualTo(fleet.starts.get("p2"));
        // every compressed download is exact, so no lossy codec can make the starts differ
        assertThat(round2.values())
                .allSatisfy(
                        m ->
                                assertThat(m.tensors().names())
                                        .allSatisfy(
                                                name ->
                                                        assertThat(m.tensors().role(name))
                                                                .isEqualTo(TensorRole.EXACT)));
    }

    @Test
    void aRoundWithoutKeepersSendsTheExactGlobalMentee() {
        FedKdStrategy strategy = compressed(mentee(new Random(5)));
        KeepingFleet fleet = new KeepingFleet();
        strategy.runRound(new RoundContext(1, 4, 7, List.of("p0", "p1")), fleet);
        TensorRecord global = strategy.globalModel().orElseThrow();

        // only p2, which keeps nothing, is selected: no truncation of the change reaches it
        strategy.runRound(new RoundContext(2, 4, 7, List.of("p2")), fleet);
        assertThat(fleet.starts.get("p2")).isEqualTo(global);

        // next round p2 keeps round 2's exact start and gets factors; p0, absent, gets it whole
        fleet.starts.clear();
        strategy.runRound(new RoundContext(3, 4, 7, List.of("p0", "p2")), fleet);
        Map<String, Message> round3 = new HashMap<>();
        fleet.requestsOf(3).forEach(m -> round3.put(m.participantId(), m));
        assertThat(round3.get("p2").config().getLong(FedKdStrategy.BASE_ROUND)).isEqualTo(2);
        assertThat(round3.get("p0").config().has(FedKdStrategy.BASE_ROUND)).isFalse();
        assertThat(fleet.refusals).isEmpty();
        assertThat(fleet.starts.get("p2")).isEqualTo(fleet.starts.get("p0"));
    }

    @Test
    void aParticipantThatLostItsMenteeFailsByNameAndGetsItWholeNextRound() {
        FedKdStrategy strategy = compressed(mentee(new Random(2)));
        KeepingFleet fleet = new KeepingFleet();
        List<String> all = List.of("p0", "p1", "p2");
        strategy.runRound(new RoundContext(1, 4, 7, all), fleet);
        fleet.states.get("p1").clear();

        strategy.runRound(new RoundContext(2, 4, 7, all), fleet);
        assertThat(fleet.refusals.get("p1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("started round 1 from, and it keeps none");

        fleet.refusals.clear();
        strategy.runRound(new RoundContext(3, 4, 7, all), fleet);
        assertThat(fleet.refusals).isEmpty();
        Message toP1 =
                fleet.requestsOf(3).stream()
                        .filter(m -> m.participantId().equals("p1"))
                        .findFirst()
                        .orElseThrow();
        assertThat(toP1.config().has(FedKdStrategy.BASE_ROUND)).isFalse();
        assertThat(fleet.starts.get("p0")).isEqualTo(fleet.starts.get("p1"));
    }

    @Test
    void aRestoredCoordinatorRepeatsTheRunWithItsParticipantsRestoredState() {
        TensorRecord initial = mentee(new Random(3));
        List<String> all = List.of("p0", "p1", "p2");
        FedKdStrategy uninterrupted = compressed(initial);
        KeepingFleet first = new KeepingFleet();
        uninterrupted.runRound(new RoundContext(1, 4, 7, List.of("p0", "p1")), first);
        TensorRecord snapshot = uninterrupted.snapshot();
        // participants' state goes back with the coordinator's checkpoint
        Map<String, Map<String, TensorRecord>> stateAfterRound1 = new HashMap<>();
        first.states.forEach((id, map) -> stateAfterRound1.put(id, new HashMap<>(map)));
        uninterrupted.runRound(new RoundContext(2, 4, 7, all), first);

        FedKdStrategy restored = compressed(initial);
        restored.restore(snapshot);
        KeepingFleet second = new KeepingFleet();
        second.states.putAll(stateAfterRound1);
        restored.runRound(new RoundContext(2, 4, 7, all), second);

        assertThat(second.requestsOf(2).stream().map(m -> List.of(m.tensors(), m.config())))
                .isEqualTo(
                        first.requestsOf(2).stream()
                                .map(m -> List.of(m.tensors(), m.config()))
                                .toList());
        assertThat(second.starts).isEqualTo(first.starts);
        assertThat(restored.globalModel()).isEqualTo(uninterrupted.globalModel());
        assertThat(Set.copyOf(snapshot.names()))
                .contains("global/w", "start/w", "keepers/p0", "keepers/p1")
                .doesNotContain("keepers/p2");
    }

    @Test
    void factorsFromAnotherRoundThanTheKeptOneAreRefused() {
        ParticipantState state = stateIn(new HashMap<>());
        TensorRecord whole = mentee(new Random(4));
        KeptMentee.startOf(
                Message.builder(3, FedKdStrategy.TRAIN, "p0")
                        .optTensors(whole)
                        .optConfig(ConfigRecord.of(FedKdStrategy.ENERGY, 0.9))
                        .build(),
                state);
        Message fromRound5 =
                Message.builder(7, FedKdStrategy.TRAIN, "p0")
                        .optTensors(whole)
                        .optConfig(
                                ConfigRecord.of(
                                        FedKdStrategy.ENERGY, 0.9, FedKdStrategy.BASE_ROUND, 5L))
                        .build();
        assertThatThrownBy(() -> KeptMentee.startOf(fromRound5, state))
                .hasMessageContaining("started round 5 from; it keeps round 3's");
    }
}
