package io.fedistill.algorithms.fedproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.algorithms.common.ScriptedFleet;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.privacy.PrivacySettings;
import io.fedistill.core.privacy.PrivateStrategy;
import io.fedistill.core.privacy.UploadPrivacy;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PrototypeStrategyTest {
    private static final int C = 3;
    private static final int D = 2;

    // p0 holds classes 0 and 2, p1 classes 0 and 1, p2 class 0 only
    private static final Map<String, PerLabelMeans> UPLOADS =
            Map.of(
                    "p0", prototypes(new float[][] {{1, 1}, {0, 0}, {9, 9}}, new int[] {3, 0, 5}),
                    "p1", prototypes(new float[][] {{4, 1}, {2, 2}, {0, 0}}, new int[] {1, 4, 0}),
                    "p2", prototypes(new float[][] {{7, 4}, {0, 0}, {0, 0}}, new int[] {6, 0, 0}));

    private static PerLabelMeans prototypes(float[][] means, int[] counts) {
        return new PerLabelMeans(PerLabelMeans.FEATURES, means, counts);
    }

    private static Strategy strategy(Map<String, Object> options) {
        return FedProtoSettings.fromOptions(options)
                .newStrategy(C, List.of("mlp@2"), model -> OptionalInt.of(D));
    }

    private static PerLabelMeans round(Strategy strategy, int round, ScriptedFleet fleet) {
        strategy.runRound(
                new RoundContext(round, 5, 1, fleet.participantIds().stream().sorted().toList()),
                fleet);
        return PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, strategy.evaluationPayload());
    }

    /** Changes the values of one tensor of an upload in place: its name, its role, its values. */
    private interface TensorChange {
        void apply(String name, TensorRole role, float[] values);
    }

    /**
     * Returns the uploads as records, {@code who}'s with every tensor changed by {@code change}.
     */
    private static Function<PerLabelMeans, TensorRecord> changing(String who, TensorChange change) {
        return upload -> {
            TensorRecord record = PrototypeUpload.toRecord(upload);
            if (upload != UPLOADS.get(who)) {
                return record;
            }
            TensorRecord.Builder changed = TensorRecord.builder();
            for (String name : record.names()) {
                float[] values = record.get(name).toFloatArray();
                change.apply(name, record.role(name), values);
                changed.put(name, Tensor.wrap(record.get(name).shape(), values), record.role(name));
            }
            return changed.build();
        };
    }

    @Test
    void eachClassIsThePlainMeanOfItsHoldersAndTravelsToTrainingAndEvaluation() {
        Strategy strategy = strategy(Map.of("lambda", 10));
        ScriptedFleet fleet = new ScriptedFleet(UPLOADS, PrototypeUpload::toRecord);
        PerLabelMeans global = round(strategy, 1, fleet);
        // HtFLlib's aggregation: class 0 is (1+4+7)/3, (1+1+4)/3 whatever the counts behind it
        assertThat(global.means()).isEqualTo(new float[][] {{4, 2}, {2, 2}, {9, 9}});
        assertThat(global.counts()).containsExactly(10, 4, 5);
        assertThat(fleet.received)
                .allSatisfy(
                        r -> {
                            assertThat(r.tensors().isEmpty()).isTrue();
                            assertThat(r.config().getDouble(PrototypeStrategy.PROTOTYPE_WEIGHT))
                                    .isEqualTo(10.0);
                            assertThat(r.type().name()).isEqualTo("fedproto.train");
                        });
        fleet.received.clear();
        round(strategy, 2, fleet);
        assertThat(fleet.received)
                .allSatisfy(
                        r ->
                                assertThat(
                                                PerLabelMeans.fromRecord(
                                                                PerLabelMeans.FEATURES, r.tensors())
                                                        .means())
                                        .isEqualTo(global.means()));
        // participants classifying by their heads get nothing with evaluation requests
        Strategy byHead = strategy(Map.of("inference", "head"));
        byHead.runRound(new RoundContext(1, 5, 1, List.of("p0", "p1", "p2")), fleet);
        assertThat(byHead.evaluationPayload().isEmpty()).isTrue();
        // those combining head and prototypes get the prototypes, as nearest-prototype ones do
        Strategy combined = strategy(Map.of("inference", "combined"));
        combined.runRound(new RoundContext(1, 5, 1, List.of("p0", "p1", "p2")), fleet);
        assertThat(
                        PerLabelMeans.fromRecord(
                                        PerLabelMeans.FEATURES, combined.evaluationPayload())
                                .means())
                .isEqualTo(global.means());
        assertThatThrownBy(() -> strategy(Map.of("inference", "vote")))
                .hasMessageContaining(
                        "option 'inference' must be one of [prototypes, head, combined]");
    }

    @Test
    void aClippedUploadWeighsLessButEveryClassStaysAMeanAsUnderPrivacy() {
        // p0's upload clipped to half its norm: its rows and its presence are halved alike
        ScriptedFleet fleet =
                new ScriptedFleet(
                        UPLOADS,
                        changing(
                                "p0",
                                (name, role, values) -> {
                                    for (int i = 0; i < values.length && role.approximable(); i++) {
                                        values[i] *= 0.5f;
                                    }
                                }));
        PerLabelMeans global = round(strategy(Map.of()), 1, fleet);
        // class 0: (0.5 * (1, 1) + (4, 1) + (7, 4)) / (0.5 + 1 + 1); class 2 is p0's alone
        assertThat(global.means()[0][0]).isCloseTo(4.6f, within(1e-5f));
        assertThat(global.means()[0][1]).isCloseTo(2.2f, within(1e-5f));
        assertThat(global.means()[1]).containsExactly(2f, 2f);
        assertThat(global.means()[2]).containsExactly(9f, 9f);
    }

    @Test
    void underPrivacyUploadsWithholdTheirCountsAndTheirPresenceSaysWhatTheyHold() {
        // what participants' hosts send under differential privacy, clipped above their norms
        Message clipTask =
                Message.builder(1, MessageType.of("fedproto", "train"), "p0")
                        .optConfig(ConfigRecord.of(UploadPrivacy.CLIP, 100.0))
                        .build();
        Function<PerLabelMeans, TensorRecord> privateWire =
                upload ->
                        UploadPrivacy.apply(
                                        clipTask,
                                        clipTask.reply()
                                                .optTensors(PrototypeUpload.toRecord(upload))
                                                .build())
                                .tensors();
        assertThat(UPLOADS.values())
                .allSatisfy(
                        upload ->
                                assertThat(privateWire.apply(upload).find(PerLabelMeans.COUNTS))
                                        .isEmpty());
        ScriptedFleet fleet = new ScriptedFleet(UPLOADS, privateWire);
        // noise so small it leaves the uploads as they are; every participant sampled
        Strategy strategy =
                new PrivateStrategy(
                        strategy(Map.of()),
                        new PrivacySettings(100, 1e-9, 1e-5, PrivacySettings.Mode.CENTRAL),
                        1,
                        Codec.fp32());
        PerLabelMeans global = round(strategy, 1, fleet);
        assertThat(fleet.received)
                .allSatisfy(
                        r -> assertThat(r.config().getDouble(UploadPrivacy.CLIP)).isEqualTo(100));
        assertThat(global.means()[0][0]).isCloseTo(4f, within(1e-4f));
        assertThat(global.means()[0][1]).isCloseTo(2f, within(1e-4f));
        assertThat(global.means()[1][0]).isCloseTo(2f, within(1e-4f));
        assertThat(global.means()[2][1]).isCloseTo(9f, within(1e-4f));
        // a row's count is then the uploads behind it, not their samples; noise moves every
        // presence off zero, so all three stand behind every class the presence sum holds
        assertThat(global.counts()).containsExactly(3, 3, 3);
        // round 2: only p2 answers, holding class 0 alone; the other classes' presence sums to
        // the noise, so they keep round 1's prototypes
        PerLabelMeans next =
                round(strategy, 2, new ScriptedFleet(Map.of("p2", UPLOADS.get("p2")), privateWire));
        assertThat(next.means()[0][0]).isCloseTo(7f, within(1e-4f));
        assertThat(next.means()[1]).isEqualTo(global.means()[1]);
        assertThat(next.means()[2]).isEqualTo(global.means()[2]);
    }

    @Test
    void classCountsWeighTheMeanAndAClassNobodyUploadsKeepsItsPrototype() {
        Strategy strategy = strategy(Map.of("weighting", "class-counts"));
        PerLabelMeans global =
                round(strategy, 1, new ScriptedFleet(UPLOADS, PrototypeUpload::toRecord));
        // class 0: (3 * 1 + 1 * 4 + 6 * 7) / 10, (3 * 1 + 1 * 1 + 6 * 4) / 10
        assertThat(global.means()[0][0]).isEqualTo(4.9f);
        assertThat(global.means()[0][1]).isEqualTo(2.8f);
        // round 2: only p0 answers, nobody holds class 1; it keeps round 1's prototype
        PerLabelMeans next =
                round(
                        strategy,
                        2,
                        new ScriptedFleet(
                                Map.of("p0", UPLOADS.get("p0")), PrototypeUpload::toRecord));
        assertThat(next.means()).isEqualTo(new float[][] {{1, 1}, {2, 2}, {9, 9}});
        // the global prototypes survive a checkpoint
        Strategy restored = strategy(Map.of("weighting", "class-counts"));
        restored.restore(strategy.snapshot());
        assertThat(
                        PerLabelMeans.fromRecord(
                                        PerLabelMeans.FEATURES, restored.evaluationPayload())
                                .means())
                .isEqualTo(next.means());
    }

    @Test
    void withLogitDistillationEachParticipantIsTaughtByEverybodyElsesLogitsAlone() {
        // per-label mean logits beside the prototypes, the same classes held
        Map<String, PerLabelMeans> logits =
                Map.of(
                        "p0", logits(new float[][] {{1, 0, 0}, {0, 0, 0}, {0, 0, 5}}, 3, 0, 5),
                        "p1", logits(new float[][] {{3, 1, 0}, {0, 2, 0}, {0, 0, 0}}, 1, 4, 0),
                        "p2", logits(new float[][] {{5, 0, 1}, {0, 0, 0}, {0, 0, 0}}, 6, 0, 0));
        Map<PerLabelMeans, String> owners = new java.util.IdentityHashMap<>();
        UPLOADS.forEach((id, upload) -> owners.put(upload, id));
        Function<PerLabelMeans, TensorRecord> wire =
                upload ->
                        TensorRecord.builder()
                                .putAll(PrototypeUpload.toRecord(upload))
                                .putSection(
                                        PrototypeStrategy.LOGITS,
                                        logits.get(owners.get(upload)).toRecord())
                                .build();
        FedProtoSettings settings =
                FedProtoSettings.fromOptions(Map.of()).withLogitDistillation(0.5, 3);
        Strategy strategy = settings.newStrategy(C, List.of("mlp@2"), model -> OptionalInt.of(D));
        ScriptedFleet fleet = new ScriptedFleet(UPLOADS, wire);
        PerLabelMeans global = round(strategy, 1, fleet);
        assertThat(fleet.received)
                .allSatisfy(
                        r -> {
                            assertThat(r.tensors().isEmpty()).isTrue();
                            assertThat(r.config().getDouble(PrototypeStrategy.LOGIT_ALPHA))
                                    .isEqualTo(0.5);
                            assertThat(r.config().getDouble(PrototypeStrategy.LOGIT_TEMPERATURE))
                                    .isEqualTo(3.0);
                        });
        fleet.received.clear();
        round(strategy, 2, fleet);
        Map<String, Message> byId =
                fleet.received.stream()
                        .collect(java.util.stream.Collectors.toMap(Message::participantId, r -> r));
        // p0's teacher: class 0 from p1 (1 sample) and p2 (6), class 1 from p1; class 2 is p0's own
        PerLabelMeans p0Teacher = teacherIn(byId.get("p0"));
        assertThat(p0Teacher.means()[0][0]).isCloseTo(33f / 7, within(1e-5f));
        assertThat(p0Teacher.means()[0][1]).isCloseTo(1f / 7, within(1e-5f));
        assertThat(p0Teacher.means()[0][2]).isCloseTo(6f / 7, within(1e-5f));
        assertThat(p0Teacher.means()[1]).containsExactly(0f, 2f, 0f);
        assertThat(p0Teacher.counts()).containsExactly(7, 4, 0);
        // p2's teacher: class 0 from p0 (3) and p1 (1), class 2 from p0
        PerLabelMeans p2Teacher = teacherIn(byId.get("p2"));
        assertThat(p2Teacher.means()[0]).containsExactly(1.5f, 0.25f, 0f);
        assertThat(p2Teacher.means()[2]).containsExactly(0f, 0f, 5f);
        // the prototypes travel beside the teacher
        assertThat(
                        PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, byId.get("p0").tensors())
                                .means())
                .isEqualTo(global.means());

        // the logits kept survive a checkpoint: a restored coordinator teaches the same
        Strategy restored = settings.newStrategy(C, List.of("mlp@2"), model -> OptionalInt.of(D));
        restored.restore(strategy.snapshot());
        ScriptedFleet onlyP2 = new ScriptedFleet(Map.of("p2", UPLOADS.get("p2")), wire);
        round(restored, 3, onlyP2);
        assertThat(teacherIn(onlyP2.received.get(0)).means()).isEqualTo(p2Teacher.means());

        // under the median the teacher's rows follow the same rule, whatever the counts behind
        // them: p0's class 0 is the entry-by-entry median of p1's (3, 1, 0) and p2's (5, 0, 1)
        Strategy median =
                FedProtoSettings.fromOptions(Map.of("robust", "median"))
                        .withLogitDistillation(0.5, 3)
                        .newStrategy(C, List.of("mlp@2"), model -> OptionalInt.of(D));
        ScriptedFleet medianFleet = new ScriptedFleet(UPLOADS, wire);
        round(median, 1, medianFleet);
        medianFleet.received.clear();
        round(median, 2, medianFleet);
        Message toP0 =
                medianFleet.received.stream()
                        .filter(r -> r.participantId().equals("p0"))
                        .findFirst()
                        .orElseThrow();
        assertThat(teacherIn(toP0).means()[0]).containsExactly(4f, 0.5f, 0.5f);
    }

    private static PerLabelMeans logits(float[][] means, int... counts) {
        return new PerLabelMeans(PerLabelMeans.LOGITS, means, counts);
    }

    private static PerLabelMeans teacherIn(Message request) {
        return PerLabelMeans.fromRecord(
                PerLabelMeans.LOGITS, request.tensors().section(PrototypeStrategy.TEACHER));
    }

    @Test
    void theMedianTakesEachClassFromItsHoldersEntryByEntry() {
        // class 0's holders send (1, 1), (4, 1) and (7, 4); a fourth sends (700, -400) for it
        Map<String, PerLabelMeans> uploads = new HashMap<>(UPLOADS);
        uploads.put(
                "p3", prototypes(new float[][] {{700, -400}, {0, 0}, {0, 0}}, new int[] {9, 0, 0}));
        PerLabelMeans global =
                round(
                        strategy(Map.of("robust", "median")),
                        1,
                        new ScriptedFleet(uploads, PrototypeUpload::toRecord));
        // entry by entry over the four holders: (4 + 7) / 2, (1 + 1) / 2; one holder: its row
        assertThat(global.means()).isEqualTo(new float[][] {{5.5f, 1}, {2, 2}, {9, 9}});
        assertThat(global.counts()).containsExactly(19, 4, 5);
    }

    @Test
    void
            clippedRowsBringABlownUpRowToTheClassesMedianNormOrMedianDistanceBeforeTheMeanOrTheMedian() {
        // class 0's five holders: norms 5, 5, 10, 5 and 500; class 1 held by p4 alone
        Map<String, PerLabelMeans> uploads =
                Map.of(
                        "p0", prototypes(new float[][] {{3, 4}, {0, 0}}, new int[] {2, 0}),
                        "p1", prototypes(new float[][] {{0, 5}, {0, 0}}, new int[] {2, 0}),
                        "p2", prototypes(new float[][] {{6, 8}, {0, 0}}, new int[] {2, 0}),
                        "p3", prototypes(new float[][] {{5, 0}, {0, 0}}, new int[] {2, 0}),
                        "p4", prototypes(new float[][] {{300, 400}, {8, 6}}, new int[] {2, 7}));
        Function<Map<String, Object>, PerLabelMeans> global =
                options ->
                        round(
                                FedProtoSettings.fromOptions(options)
                                        .newStrategy(2, List.of("mlp@2"), m -> OptionalInt.of(D)),
                                1,
                                new ScriptedFleet(uploads, PrototypeUpload::toRecord));

        // clipped to the median norm 5, the longer rows, p2's honest one too, keep their direction
        // (3, 4) / 5 at length 5: the mean is ((3 + 0 + 3 + 5 + 3) / 5, (4 + 5 + 4 + 0 + 4) / 5);
        // a class with one holder is clipped to its own norm, so it stays as it is
        assertThat(global.apply(Map.of("clipRows", "norm")).means()[0])
                .containsExactly(new float[] {2.8f, 3.4f}, within(1e-5f));
        assertThat(global.apply(Map.of("clipRows", "norm")).means()[1]).containsExactly(8f, 6f);
        assertThat(global.apply(Map.of("clipRows", "norm")).counts()).containsExactly(10, 7);
        // unclipped, the blown-up row drags the mean about 24 times as far from the origin
        assertThat(global.apply(Map.of()).means()[0]).containsExactly(62.8f, 83.4f);
        // under the median, entry by entry over 3, 0, 3, 5, 3 and 4, 5, 4, 0, 4
        assertThat(global.apply(Map.of("clipRows", "norm", "robust", "median")).means()[0])
                .containsExactly(3f, 4f);
        // around the median row (5, 5) the distances are 2.24, 5, 3.16, 5 and 493: the blown-up
        // row alone is pulled in, to (5, 5) + 5 * (295, 395) / 493 = (7.99, 9.01), and the
        // honest rows keep their spread
        assertThat(global.apply(Map.of("clipRows", "centred")).means()[0])
                .containsExactly(new float[] {4.3984f, 5.2012f}, within(1e-4f));
        assertThatThrownBy(() -> global.apply(Map.of("clipRows", true)))
                .hasMessageContaining("clipRows");

        // the round reports what the clipping did: six held rows; norm clipping moved p2's and
        // p4's class-0 rows; centred clipping moved p4's alone, with a radius of 5 around a median
        // row of norm 7.07 (class 1, with one holder, has no radius to speak of)
        Function<String, Metrics> reported =
                clipping -> {
                    Strategy strategy =
                            FedProtoSettings.fromOptions(Map.of("clipRows", clipping))
                                    .newStrategy(2, List.of("mlp@2"), m -> OptionalInt.of(D));
                    ScriptedFleet fleet = new ScriptedFleet(uploads, PrototypeUpload::toRecord);
                    return strategy.runRound(
                            new RoundContext(
                                    1, 5, 1, fleet.participantIds().stream().sorted().toList()),
                            fleet);
                };
        assertThat(reported.apply("norm").get("rows_clipped")).isEqualTo(2);
        assertThat(reported.apply("norm").get("rows_held")).isEqualTo(6);
        assertThat(reported.apply("norm").find("clip_radius_to_centre")).isEmpty();
        assertThat(reported.apply("centred").get("rows_clipped")).isEqualTo(1);
        assertThat(reported.apply("centred").get("clip_radius_to_centre"))
                .isCloseTo(5 / Math.sqrt(50), within(1e-6));
        assertThat(reported.apply("none").find("rows_clipped")).isEmpty();
    }

    @Test
    void rulesThatCannotServeAClassesFewHoldersOrWouldIgnoreTheWeightingAreRefused() {
        assertThatThrownBy(() -> FedProtoSettings.fromOptions(Map.of("robust", "multi-krum")))
                .hasMessageContaining("fedproto: robust: multi-krum needs more than 2f + 2")
                .hasMessageContaining("use median or trimmed-mean");
        assertThatThrownBy(
                        () ->
                                FedProtoSettings.fromOptions(
                                        Map.of("robust", "median", "weighting", "class-counts")))
                .hasMessage(
                        "fedproto: robust: median gives every holder of a class an equal say,"
                                + " which weighting: class-counts would change; drop one of them");
    }

    @Test
    void anUploadWhoseCountsDisagreeWithItsPrototypesOrPresenceIsRefusedAndTheRoundGoesOn() {
        // p2 holds class 0 alone but sends a prototype for class 1 as well, which the plain mean
        // would add to class 1's sum while its presence, 0, kept it out of the divisor
        Function<PerLabelMeans, TensorRecord> sneaky =
                changing(
                        "p2",
                        (name, role, values) -> {
                            if (name.equals(PerLabelMeans.FEATURES)) {
                                values[D] = 50; // class 1's first entry
                            }
                        });
        PerLabelMeans global = round(strategy(Map.of()), 1, new ScriptedFleet(UPLOADS, sneaky));
        // p2 is left out: class 0 is the mean of p0's and p1's rows, class 1 p1's alone
        assertThat(global.means()).isEqualTo(new float[][] {{2.5f, 1}, {2, 2}, {9, 9}});
        assertThatThrownBy(() -> PrototypeUpload.fromRecord(sneaky.apply(UPLOADS.get("p2"))))
                .hasMessage(
                        "class 1 has 0 samples behind it but presence 0.0 or a prototype that is"
                                + " not zero; a class without samples has presence 0 and a zero"
                                + " prototype, one with samples a presence above 0");
    }

    @Test
    void prototypesOfAnotherWidthAreRefusedNamingTheExpectedShape() {
        PrototypeStrategy strategy = (PrototypeStrategy) strategy(Map.of());
        Message request = Message.builder(1, PrototypeStrategy.trainType("fedproto"), "p0").build();
        Message wide =
                request.reply()
                        .optTensors(
                                TensorRecord.builder()
                                        .put(
                                                PerLabelMeans.FEATURES,
                                                Tensor.wrap(new int[] {C, 5}, new float[C * 5]),
                                                TensorRole.FEATURES)
                                        .put(
                                                PerLabelMeans.COUNTS,
                                                Tensor.wrap(new int[] {C}, new float[C]),
                                                TensorRole.COUNTS)
                                        .put(
                                                PrototypeUpload.PRESENCE,
                                                Tensor.wrap(new int[] {C}, new float[C]),
                                                TensorRole.PROBABILITIES)
                                        .build())
                        .optMetrics(Metrics.of("examples", 1))
                        .build();
        assertThat(strategy.uploadSpec().check(request, wide))
                .hasValueSatisfying(
                        reason ->
                                assertThat(reason).contains("[3, 5]").contains("expected [3, 2]"));
        assertThatThrownBy(
                        () ->
                                FedProtoSettings.fromOptions(Map.of())
                                        .newStrategy(
                                                C,
                                                List.of("mlp:64", "lenet"),
                                                model ->
                                                        OptionalInt.of(
                                                                model.equals("lenet") ? 84 : 64)))
                .hasMessageContaining("fedproto compares feature prototypes")
                .hasMessageContaining("lenet=84")
                .hasMessageContaining("'lenet@64'");
        assertThatThrownBy(() -> FedProtoSettings.fromOptions(Map.of("weighting", "examples")))
                .hasMessageContaining("uniform or class-counts");
    }
}
