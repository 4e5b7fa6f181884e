package io.fedistill.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Participant-level clipping and the Gaussian mechanism on uploads, and the epsilon reported. */
class UploadPrivacyTest {
    private static final MessageType TRAIN = MessageType.of("test", "train");

    private static double norm(float[] values) {
        double squared = 0;
        for (float v : values) {
            squared += (double) v * v;
        }
        return Math.sqrt(squared);
    }

    @Test
    void weightsAreClippedInTheirChangeCountsAreWithheldAndExactValuesPass() {
        Message task =
                Message.builder(2, TRAIN, "p0")
                        .optTensors(TensorRecord.of("w", Tensor.vector(1, 1), TensorRole.WEIGHTS))
                        .optConfig(ConfigRecord.of(UploadPrivacy.CLIP, 0.5))
                        .build();
        Message reply =
                task.reply()
                        .optTensors(
                                TensorRecord.builder()
                                        .put("w", Tensor.vector(4, 5), TensorRole.WEIGHTS)
                                        .put("n", Tensor.vector(7), TensorRole.COUNTS)
                                        .put("id", Tensor.vector(3), TensorRole.EXACT)
                                        .build())
                        .build();
        TensorRecord sent = UploadPrivacy.apply(task, reply).tensors();
        // the change (3, 4) has norm 5: scaled to 0.5, it becomes (0.3, 0.4)
        assertThat(sent.get("w").toFloatArray()).containsExactly(1.3f, 1.4f);
        // no clip bounds what a label histogram tells: the counts stay with the participant
        assertThat(sent.names()).containsExactlyInAnyOrder("w", "id");
        assertThat(sent.get("id").toFloatArray()).containsExactly(3f);
        assertThat(sent.role("w")).isEqualTo(TensorRole.WEIGHTS);
        // a change within the norm passes as it is
        Message small =
                task.reply()
                        .optTensors(
                                TensorRecord.of("w", Tensor.vector(1.1f, 1), TensorRole.WEIGHTS))
                        .build();
        assertThat(UploadPrivacy.apply(task, small).tensors()).isEqualTo(small.tensors());
        // a task that asks for no clip gets its reply as it is, counts included
        Message unclipped = task.withConfig(ConfigRecord.empty());
        Message plain = unclipped.reply().optTensors(reply.tensors()).build();
        assertThat(UploadPrivacy.apply(unclipped, plain).tensors().get("n").toFloatArray())
                .containsExactly(7f);
    }

    @Test
    void knowledgeIsClippedJointlyAndDistributedNoiseIsAdded() {
        Message task =
                Message.builder(1, TRAIN, "p3")
                        .optConfig(
                                ConfigRecord.of(UploadPrivacy.CLIP, 1.0, UploadPrivacy.NOISE, 0.0))
                        .build();
        Message reply =
                task.reply()
                        .optTensors(
                                TensorRecord.builder()
                                        .put("logits", Tensor.vector(3, 0), TensorRole.LOGITS)
                                        .put("soft", Tensor.vector(0, 4), TensorRole.PROBABILITIES)
                                        .build())
                        .build();
        TensorRecord clipped = UploadPrivacy.apply(task, reply).tensors();
        assertThat(clipped.get("logits").toFloatArray()).containsExactly(0.6f, 0f);
        assertThat(clipped.get("soft").toFloatArray()).containsExactly(0f, 0.8f);
        Message noisyTask =
                task.withConfig(ConfigRecord.of(UploadPrivacy.CLIP, 1.0, UploadPrivacy.NOISE, 2.0));
        float[] noisy =
                UploadPrivacy.apply(noisyTask, reply).tensors().get("logits").toFloatArray();
        assertThat(noisy[0]).isNotEqualTo(0.6f);
        // the noise comes from a secret source: the run seed does not repeat it
        assertThat(UploadPrivacy.apply(noisyTask, reply).tensors().get("logits").toFloatArray())
                .isNotEqualTo(noisy);
    }

    @Test
    void aClippedReplyKeepsOnlyTheMetricsTheCoordinatorNeeds() {
        Message task =
                Message.builder(1, TRAIN, "p3")
                        .optConfig(
                                ConfigRecord.of(
                                        UploadPrivacy.CLIP, 1.0, UploadPrivacy.METRICS, "examples"))
                        .build();
        Message reply =
                task.reply()
                        .optTensors(
                                TensorRecord.of("logits", Tensor.vector(0.1f), TensorRole.LOGITS))
                        .optMetrics(Metrics.of("examples", 40, "train_loss", 0.7, "train_acc", 0.9))
                        .build();

        assertThat(UploadPrivacy.apply(task, reply).metrics().values())
                .containsOnlyKeys("examples");
        // a reply without tensors too, and a task that names none keeps none
        Message noMetricsNamed = task.withConfig(ConfigRecord.of(UploadPrivacy.CLIP, 1.0));
        assertThat(
                        UploadPrivacy.apply(noMetricsNamed, reply.withTensors(TensorRecord.empty()))
                                .metrics()
                                .values())
                .isEmpty();
        // without a clip, everything passes
        Message plain = task.withConfig(ConfigRecord.empty());
        assertThat(UploadPrivacy.apply(plain, reply).metrics().values()).hasSize(3);
    }

    @Test
    void metricsAParticipantSendsAnywayStayOutOfTheRecords() {
        Uploads fleet = new Uploads();
        List<Message> received = new ArrayList<>();
        Strategy upload =
                (context, f) -> {
                    List<Message> requests = new ArrayList<>();
                    for (String id : context.selected()) {
                        requests.add(Message.builder(context.round(), TRAIN, id).build());
                    }
                    received.addAll(
                            f.exchange(requests, ReplySpec.anyTensors("examples")).replies());
                    return Metrics.empty();
                };
        PrivacySettings settings =
                new PrivacySettings(1.0, 1.5, 1e-5, PrivacySettings.Mode.CENTRAL);
        new PrivateStrategy(upload, settings, 0.4, Codec.fp32())
                .runRound(new RoundContext(1, 5, 7, List.of("a", "b")), fleet);

        assertThat(fleet.sent)
                .allSatisfy(
                        m ->
                                assertThat(m.config().getString(UploadPrivacy.METRICS))
                                        .isEqualTo("examples"));
        assertThat(received)
                .hasSize(2)
                .allSatisfy(m -> assertThat(m.metrics().values()).containsOnlyKeys("examples"));
    }

    /**
     * Participants upload (k, 0) for k = 1..5 and report one example, and their training loss,
     * whatever they are asked.
     */
    private static final class Uploads implements Fleet {
        final List<Message> sent = new ArrayList<>();

        @Override
        public List<String> participantIds() {
            return List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            sent.addAll(requests);
            List<Message> replies = new ArrayList<>();
            for (int k = 0; k < requests.size(); k++) {
                replies.add(
                        requests.get(k)
                                .reply()
                                .optTensors(
                                        TensorRecord.of(
                                                "logits",
                                                Tensor.vector(k + 1, 0),
                                                TensorRole.LOGITS))
                                .optMetrics(Metrics.of("examples", 1, "train_loss", 0.5))
                                .build());
            }
            return new ExchangeResult(replies, List.of(), List.of());
        }
    }

    /** Sends every selected participant a training request, as an uploading strategy does. */
    private static ExchangeResult askEverySelected(RoundContext context, Fleet fleet) {
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            requests.add(Message.builder(context.round(), TRAIN, id).build());
        }
        return fleet.exchange(requests, ReplySpec.anyTensors());
    }

    /** A strategy that asks every selected participant and keeps what arrives. */
    private static Strategy collecting(List<TensorRecord> received) {
        return (context, f) -> {
            askEverySelected(context, f).replies().forEach(r -> received.add(r.tensors()));
            return Metrics.of("participants_aggregated", context.selected().size());
        };
    }

    @Test
    void centralNoiseIsAddedToWhatArrivesAndEpsilonIsReportedEveryRound() {
        Uploads fleet = new Uploads();
        List<TensorRecord> received = new ArrayList<>();
        Strategy upload = collecting(received);
        PrivacySettings settings =
                new PrivacySettings(1.0, 1.5, 1e-5, PrivacySettings.Mode.CENTRAL);
        // Poisson sampling at rate 0.4 selected four of the ten this round
        Strategy privately = new PrivateStrategy(upload, settings, 0.4, Codec.fp32());
        List<String> selected = List.of("a", "b", "c", "d");
        Metrics round3 = privately.runRound(new RoundContext(3, 5, 7, selected), fleet);
        // every request asked for clipping, none for participant-side noise
        assertThat(fleet.sent)
                .allSatisfy(
                        m -> {
                            assertThat(m.config().getDouble(UploadPrivacy.CLIP)).isEqualTo(1.0);
                            assertThat(m.config().has(UploadPrivacy.NOISE)).isFalse();
                        });
        // noise reached the values
        assertThat(received).hasSize(4);
        assertThat(received.get(0).get("logits").get(1)).isNotZero();
        double expected = RdpAccountant.withDefaultOrders().epsilon(0.4, 1.5, 3, 1e-5).epsilon();
        assertThat(round3.get("epsilon")).isCloseTo(expected, within(1e-12));
        assertThat(round3.get("delta")).isEqualTo(1e-5);
        assertThat(round3.get("participants_aggregated")).isEqualTo(4);
    }

    @Test
    void aDistributedRoundThatLostParticipantsIsAccountedAtTheNoiseItCarried() {
        Uploads fleet = new Uploads();
        int[] contributors = {4};
        // a secure sum of whoever stays: the strategy reports how many it holds
        Strategy secureSum =
                (context, f) -> {
                    askEverySelected(context, f);
                    return Metrics.of("participants_aggregated", contributors[0]);
                };
        PrivacySettings settings =
                new PrivacySettings(1.0, 2.0, 1e-5, PrivacySettings.Mode.DISTRIBUTED);
        PrivateStrategy privately = new PrivateStrategy(secureSum, settings, 0.5, Codec.fp32());
        List<String> selected = List.of("a", "b", "c", "d");
        Metrics round1 = privately.runRound(new RoundContext(1, 5, 7, selected), fleet);
        // each of the four shares: 2.0 / sqrt(4)
        assertThat(fleet.sent)
                .allSatisfy(
                        m -> assertThat(m.config().getDouble(UploadPrivacy.NOISE)).isEqualTo(1.0));
        assertThat(round1.find("noise_multiplier")).isEmpty();
        contributors[0] = 1; // three dropped after they were asked: one share of noise is left
        Metrics round2 = privately.runRound(new RoundContext(2, 5, 7, selected), fleet);
        assertThat(round2.get("noise_multiplier")).isCloseTo(1.0, within(1e-12));
        RdpAccountant accountant = RdpAccountant.withDefaultOrders();
        double expected =
                accountant
                        .epsilon(
                                List.of(
                                        new RdpAccountant.Steps(1.0, 2.0, 1),
                                        new RdpAccountant.Steps(1.0, 1.0, 1)),
                                1e-5)
                        .epsilon();
        assertThat(round2.get("epsilon")).isCloseTo(expected, within(1e-12));
        assertThat(expected).isGreaterThan(accountant.epsilon(1.0, 2.0, 2, 1e-5).epsilon());
        // the coordinator draws the sample, so distributed noise is accounted without amplification
        // (rate 1, not the 0.5 it was given); the history survives a checkpoint: a restored
        // strategy's round 3 composes on it
        PrivateStrategy restored = new PrivateStrategy(secureSum, settings, 0.5, Codec.fp32());
        restored.restore(privately.snapshot());
        contributors[0] = 4;
        double round3 =
                restored.runRound(new RoundContext(3, 5, 7, selected), fleet).get("epsilon");
        assertThat(round3)
                .isCloseTo(
                        accountant
                                .epsilon(
                                        List.of(
                                                new RdpAccountant.Steps(1.0, 2.0, 2),
                                                new RdpAccountant.Steps(1.0, 1.0, 1)),
                                        1e-5)
                                .epsilon(),
                        within(1e-9));
    }

    @Test
    void centralUploadsAreScaledToTheExpectedCountSoTheMeanHasAFixedDenominator() {
        Uploads fleet = new Uploads();
        List<TensorRecord> received = new ArrayList<>();
        Strategy upload = collecting(received);
        PrivacySettings settings =
                new PrivacySettings(2.0, 1e-9, 1e-5, PrivacySettings.Mode.CENTRAL);
        // rate 0.5 of ten: five expected; this round's draw took two, whose mean is then their
        // sum over five
        Metrics metrics =
                new PrivateStrategy(upload, settings, 0.5, Codec.fp32())
                        .runRound(new RoundContext(1, 5, 7, List.of("a", "b")), fleet);
        assertThat(received.get(0).get("logits").get(0)).isCloseTo(0.4f, within(1e-6f));
        assertThat(received.get(1).get("logits").get(0)).isCloseTo(0.8f, within(1e-6f));
        assertThat(metrics.find("clipped_on_arrival")).isEmpty();
    }

    @Test
    void theCoordinatorClipsACentralUploadThatArrivesAboveTheClip() {
        // the fleet's participants send (k, 0) for k = 1..3 without clipping them to 1.5
        Uploads fleet = new Uploads();
        List<TensorRecord> received = new ArrayList<>();
        PrivacySettings settings =
                new PrivacySettings(1.5, 1e-9, 1e-5, PrivacySettings.Mode.CENTRAL);
        Metrics metrics =
                new PrivateStrategy(collecting(received), settings, 0.5, Codec.fp32())
                        .runRound(new RoundContext(1, 5, 7, List.of("a", "b", "c")), fleet);
        // three of the expected five, so each is scaled by 0.6 after the clip: the two above it
        // arrive as 1.5 * 0.6 (scaling, then clipping, would have given 1.2 and 1.5)
        assertThat(received.get(0).get("logits").get(0)).isCloseTo(0.6f, within(1e-5f));
        assertThat(received.get(1).get("logits").get(0)).isCloseTo(0.9f, within(1e-5f));
        assertThat(received.get(2).get("logits").get(0)).isCloseTo(0.9f, within(1e-5f));
        assertThat(metrics.get("clipped_on_arrival")).isEqualTo(2);
    }

    /**
     * One participant "a" whose task holds the weights {@code base}, which travel down in {@code
     * downlink}: it sends what it received plus {@code change}, clipped by its host as an honest
     * one is, or not at all.
     */
    private record OneWeightUpload(
            float[] base, float[] change, boolean clipsItself, Codec downlink) implements Fleet {
        @Override
        public List<String> participantIds() {
            return List.of("a");
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            Tensor start =
                    downlink.asReceived(
                            requests.get(0).tensors().get("w"), TensorRole.WEIGHTS, Direction.DOWN);
            Message received =
                    requests.get(0).withTensors(TensorRecord.of("w", start, TensorRole.WEIGHTS));
            Message reply =
                    received.reply()
                            .optTensors(
                                    TensorRecord.of(
                                            "w",
                                            Tensor.vector(
                                                    start.get(0) + change[0],
                                                    start.get(1) + change[1]),
                                            TensorRole.WEIGHTS))
                            .build();
            return new ExchangeResult(
                    List.of(clipsItself ? UploadPrivacy.apply(received, reply) : reply),
                    List.of(),
                    List.of());
        }

        /** Runs one private round that sends the task; returns what arrived, and the metrics. */
        Metrics round(List<TensorRecord> arrived) {
            Strategy sendWeights =
                    (context, f) -> {
                        Message task =
                                Message.builder(context.round(), TRAIN, "a")
                                        .optTensors(
                                                TensorRecord.of(
                                                        "w",
                                                        Tensor.vector(base),
                                                        TensorRole.WEIGHTS))
                                        .build();
                        f.exchange(List.of(task), ReplySpec.anyTensors())
                                .replies()
                                .forEach(r -> arrived.add(r.tensors()));
                        return Metrics.of("participants_aggregated", 1);
                    };
            PrivacySettings settings =
                    new PrivacySettings(1.5, 1e-9, 1e-5, PrivacySettings.Mode.CENTRAL);
            return new PrivateStrategy(sendWeights, settings, 1, downlink)
                    .runRound(new RoundContext(1, 5, 7, List.of("a")), this);
        }
    }

    @Test
    void weightsAreClippedOnArrivalInTheirChangeFromWhatTheParticipantReceived() {
        // (4, 5) from (1, 1) is the change (3, 4), norm 5; clipped to 1.5 it is (0.9, 1.2)
        float[] change = {3, 4};
        List<TensorRecord> arrived = new ArrayList<>();
        Metrics unclipped =
                new OneWeightUpload(new float[] {1, 1}, change, false, Codec.fp32()).round(arrived);
        assertThat(arrived.get(0).get("w").toFloatArray())
                .usingComparatorWithPrecision(1e-5f)
                .containsExactly(1.9f, 2.2f);
        assertThat(unclipped.get("clipped_on_arrival")).isEqualTo(1);
        // sent down as int8, 0.305 arrives as 39 / 127: the change is measured from there, so an
        // honest participant is not clipped again (from 0.305 its change would measure 1.5017)
        // and a dishonest one is clipped from its start
        Codec int8 = Codec.forName("down.weights=int8");
        float start = 39f / 127;
        for (boolean honest : List.of(true, false)) {
            arrived.clear();
            Metrics round =
                    new OneWeightUpload(new float[] {1, 0.305f}, change, honest, int8)
                            .round(arrived);
            assertThat(arrived.get(0).get("w").toFloatArray())
                    .usingComparatorWithPrecision(1e-5f)
                    .containsExactly(1.9f, start + 1.2f);
            assertThat(round.find("clipped_on_arrival").isPresent()).isEqualTo(!honest);
        }
        // an honest participant's clip survives the float rounding of large weights
        arrived.clear();
        Metrics large =
                new OneWeightUpload(new float[] {1000, 1000}, change, true, Codec.fp32())
                        .round(arrived);
        assertThat(large.find("clipped_on_arrival")).isEmpty();
        assertThat(arrived.get(0).get("w").toFloatArray())
                .usingComparatorWithPrecision(1e-3f)
                .containsExactly(1000.9f, 1001.2f);
    }
}
