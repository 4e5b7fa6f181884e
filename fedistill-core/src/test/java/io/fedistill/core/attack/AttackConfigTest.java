package io.fedistill.core.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AttackConfigTest {
    /** An upload holding one tensor of every role, and a second probability shape. */
    private static final TensorRecord UPLOAD =
            TensorRecord.builder()
                    .put(
                            "logits",
                            Tensor.of(new int[] {2, 2}, new float[] {1, 2, 3, 6}),
                            TensorRole.LOGITS)
                    .put(
                            "soft-labels",
                            Tensor.of(new int[] {2, 3}, new float[] {0.5f, 0.3f, 0.2f, 1, 0, 0}),
                            TensorRole.PROBABILITIES)
                    .put(
                            "binary",
                            Tensor.of(new int[] {1, 2}, new float[] {0.8f, 0.2f}),
                            TensorRole.PROBABILITIES)
                    .put("kernel", Tensor.vector(1f, -2f), TensorRole.WEIGHTS)
                    .put("prototype", Tensor.vector(0.5f), TensorRole.FEATURES)
                    .put("label-counts", Tensor.vector(3f, 4f), TensorRole.COUNTS)
                    .put("ids", Tensor.vector(7f), TensorRole.EXACT)
                    .build();

    private static final List<String> TEN_IDS =
            IntStream.range(0, 10).mapToObj(i -> "p" + i).toList();

    private static AttackConfig attack(AttackKind kind) {
        return new AttackConfig(kind, 0.5, -10, 42);
    }

    private static float[] values(TensorRecord record, String name) {
        return record.get(name).toFloatArray();
    }

    /** Asserts that the tampered upload has the original's names, shapes and roles. */
    private static void assertSameLayout(TensorRecord tampered) {
        assertThat(tampered.names()).containsExactlyElementsOf(UPLOAD.names());
        for (String name : UPLOAD.names()) {
            assertThat(tampered.get(name).shape()).isEqualTo(UPLOAD.get(name).shape());
            assertThat(tampered.role(name)).isEqualTo(UPLOAD.role(name));
        }
    }

    @Test
    void scaledWeightsMultipliesOnlyTheWeights() {
        TensorRecord tampered = attack(AttackKind.SCALED_WEIGHTS).apply(UPLOAD, new Random(1));
        assertSameLayout(tampered);
        assertThat(values(tampered, "kernel")).containsExactly(-10f, 20f);
        for (String untouched : List.of("logits", "soft-labels", "binary", "prototype")) {
            assertThat(tampered.get(untouched)).isEqualTo(UPLOAD.get(untouched));
        }
    }

    @Test
    void signFlippedWeightsNegatesOnlyTheWeights() {
        TensorRecord tampered =
                attack(AttackKind.SIGN_FLIPPED_WEIGHTS).apply(UPLOAD, new Random(1));
        assertThat(values(tampered, "kernel")).containsExactly(-1f, 2f);
        assertThat(tampered.get("logits")).isEqualTo(UPLOAD.get("logits"));
    }

    @Test
    void scaledFeaturesMultipliesOnlyTheFeatures() {
        TensorRecord tampered = attack(AttackKind.SCALED_FEATURES).apply(UPLOAD, new Random(1));
        assertSameLayout(tampered);
        assertThat(values(tampered, "prototype")).containsExactly(-5f);
        for (String untouched : List.of("logits", "soft-labels", "binary", "kernel")) {
            assertThat(tampered.get(untouched)).isEqualTo(UPLOAD.get(untouched));
        }
    }

    @Test
    void randomFeaturesReplaceTheHeldRowsWithNoiseOfTheirSpreadAndKeepEmptyRowsEmpty() {
        // 2,000 held rows alternating (1, 5) and (5, 1): mean 3, population std 2; then 6,000
        // empty rows, which would bring the mean to 0.75 if they counted
        float[] honest = new float[2 * 8_000];
        for (int row = 0; row < 2_000; row++) {
            honest[2 * row] = row % 2 == 0 ? 1 : 5;
            honest[2 * row + 1] = row % 2 == 0 ? 5 : 1;
        }
        TensorRecord upload =
                TensorRecord.builder()
                        .put(
                                "features",
                                Tensor.of(new int[] {8_000, 2}, honest),
                                TensorRole.FEATURES)
                        .put("kernel", Tensor.vector(1f, -2f), TensorRole.WEIGHTS)
                        .put("logits", Tensor.vector(1f, 2f), TensorRole.LOGITS)
                        .build();
        TensorRecord tampered = attack(AttackKind.RANDOM_FEATURES).apply(upload, new Random(3));
        float[] noise = values(tampered, "features");
        double mean = 0;
        for (int k = 0; k < 4_000; k++) {
            mean += noise[k] / 4_000.0;
        }
        double variance = 0;
        for (int k = 0; k < 4_000; k++) {
            variance += (noise[k] - mean) * (noise[k] - mean) / 4_000;
        }
        // 4,000 draws: standard errors about 0.03 for the mean and 0.02 for the std
        assertThat(mean).isCloseTo(3, within(0.15));
        assertThat(Math.sqrt(variance)).isCloseTo(2, within(0.15));
        assertThat(noise[0]).isNotIn(1f, 5f);
        assertThat(Arrays.copyOfRange(noise, 4_000, 16_000)).containsOnly(0f);
        assertThat(tampered.get("kernel")).isEqualTo(upload.get("kernel"));
        assertThat(tampered.get("logits")).isEqualTo(upload.get("logits"));
    }

    @Test
    void invertedLogitsNegatesLogitsAndReversesEachProbabilityRanking() {
        TensorRecord tampered = attack(AttackKind.INVERTED_LOGITS).apply(UPLOAD, new Random(1));
        assertSameLayout(tampered);
        assertThat(values(tampered, "logits")).containsExactly(-1f, -2f, -3f, -6f);
        // row (0.5, 0.3, 0.2): max + min - p = (0.2, 0.4, 0.5), which sums to 1.1;
        // row (1, 0, 0): (0, 1, 1) / 2
        assertThat(values(tampered, "soft-labels"))
                .containsExactly(
                        new float[] {
                            (float) (0.2 / 1.1),
                            (float) (0.4 / 1.1),
                            (float) (0.5 / 1.1),
                            0,
                            0.5f,
                            0.5f
                        },
                        within(1e-6f));
        // two classes are swapped
        assertThat(values(tampered, "binary"))
                .containsExactly(new float[] {0.2f, 0.8f}, within(1e-6f));
        assertThat(tampered.get("kernel")).isEqualTo(UPLOAD.get("kernel"));
    }

    @Test
    void randomLogitsReplacesLogitsAndProbabilityRowsWithFreshDraws() {
        TensorRecord tampered = attack(AttackKind.RANDOM_LOGITS).apply(UPLOAD, new Random(1));
        assertSameLayout(tampered);
        assertThat(tampered.get("logits")).isNotEqualTo(UPLOAD.get("logits"));
        float[] soft = values(tampered, "soft-labels");
        assertThat(soft).isNotEqualTo(values(UPLOAD, "soft-labels"));
        for (float p : soft) {
            assertThat(p).isBetween(0f, 1f);
        }
        assertThat(soft[0] + soft[1] + soft[2]).isCloseTo(1f, within(1e-6f));
        assertThat(soft[3] + soft[4] + soft[5]).isCloseTo(1f, within(1e-6f));
        float[] binary = values(tampered, "binary");
        assertThat(binary[0] + binary[1]).isCloseTo(1f, within(1e-6f));
        assertThat(tampered.get("kernel")).isEqualTo(UPLOAD.get("kernel"));
        // the same draws give the same tampering
        assertThat(attack(AttackKind.RANDOM_LOGITS).apply(UPLOAD, new Random(1)))
                .isEqualTo(tampered);
    }

    @Test
    void randomLogitsMatchTheHonestMeanAndSpread() {
        // alternating 1 and 5: mean 3, population standard deviation 2
        float[] honest = new float[10_000];
        for (int i = 0; i < honest.length; i++) {
            honest[i] = i % 2 == 0 ? 1 : 5;
        }
        TensorRecord upload =
                TensorRecord.of(
                        "logits", Tensor.of(new int[] {5_000, 2}, honest), TensorRole.LOGITS);
        float[] noise =
                values(attack(AttackKind.RANDOM_LOGITS).apply(upload, new Random(3)), "logits");
        double mean = 0;
        for (float v : noise) {
            mean += v / (double) noise.length;
        }
        double variance = 0;
        for (float v : noise) {
            variance += (v - mean) * (v - mean) / noise.length;
        }
        // 10,000 draws: the standard errors are 0.02 for the mean and about 0.014 for the std
        assertThat(mean).isCloseTo(3, within(0.1));
        assertThat(Math.sqrt(variance)).isCloseTo(2, within(0.1));
    }

    @Test
    void labelFlippingLeavesTheUploadAndMapsYToCMinusOneMinusY() {
        AttackConfig flipping = attack(AttackKind.LABEL_FLIPPING);
        assertThat(flipping.apply(UPLOAD, new Random(1))).isEqualTo(UPLOAD);
        int[] labels = {0, 1, 2, 2};
        assertThat(flipping.trainingLabels(labels, 3)).containsExactly(2, 1, 0, 0);
        assertThat(labels).containsExactly(0, 1, 2, 2);
        assertThatThrownBy(() -> flipping.trainingLabels(new int[] {0, 3}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label 3 at index 1 is outside [0, 3)");
        assertThatThrownBy(() -> flipping.trainingLabels(labels, 0))
                .hasMessage("classes must be >= 1, got 0");
        // upload attacks train on the true labels
        assertThat(attack(AttackKind.SCALED_WEIGHTS).trainingLabels(labels, 3))
                .containsExactly(0, 1, 2, 2);
    }

    @Test
    void countsAreMultipliedByTheCountScaleUnderEveryKindAndExactTensorsNever() {
        for (AttackKind kind : AttackKind.values()) {
            TensorRecord tampered =
                    new AttackConfig(kind, 0.5, -10, 10, false, 42).apply(UPLOAD, new Random(5));
            assertThat(values(tampered, "label-counts"))
                    .as(kind.configName())
                    .containsExactly(30f, 40f);
            assertThat(tampered.get("ids")).as(kind.configName()).isEqualTo(UPLOAD.get("ids"));
        }
        // label flipping with inflated counts changes the counts alone
        TensorRecord flipping =
                new AttackConfig(AttackKind.LABEL_FLIPPING, 0.5, -10, 10, false, 42)
                        .apply(UPLOAD, new Random(5));
        assertThat(flipping.get("logits")).isEqualTo(UPLOAD.get("logits"));
        assertThat(flipping.get("soft-labels")).isEqualTo(UPLOAD.get("soft-labels"));
        // counts stay whole numbers, as a reply's counts must be: (3, 4) x 1.5 = (4.5, 6) -> (5, 6)
        assertThat(
                        values(
                                new AttackConfig(
                                                AttackKind.INVERTED_LOGITS,
                                                0.5,
                                                -10,
                                                1.5,
                                                false,
                                                42)
                                        .apply(UPLOAD, new Random(5)),
                                "label-counts"))
                .containsExactly(5f, 6f);
        assertThatThrownBy(() -> new AttackConfig(AttackKind.INVERTED_LOGITS, 0.3, 1, 0, false, 0))
                .hasMessage("countScale must be positive and finite, got 0.0");
    }

    @Test
    void logitAttacksLeaveAVectorOfProbabilitiesThatIsNoScoreTable() {
        // FedProto's presence weights travel as probabilities, one per class; a vector of logits
        // is no score table either
        TensorRecord prototypes =
                TensorRecord.builder()
                        .put("presence", Tensor.vector(1f, 0f, 1f), TensorRole.PROBABILITIES)
                        .put("bias", Tensor.vector(0.5f, -0.5f), TensorRole.LOGITS)
                        .put(
                                "logits",
                                Tensor.of(new int[] {1, 3}, new float[] {1, 0, 2}),
                                TensorRole.LOGITS)
                        .build();
        for (AttackKind kind : List.of(AttackKind.RANDOM_LOGITS, AttackKind.INVERTED_LOGITS)) {
            TensorRecord tampered = attack(kind).apply(prototypes, new Random(3));
            assertThat(values(tampered, "bias")).as(kind.configName()).containsExactly(0.5f, -0.5f);
            assertThat(values(tampered, "presence"))
                    .as(kind.configName())
                    .containsExactly(1f, 0f, 1f);
            assertThat(values(tampered, "logits"))
                    .as(kind.configName())
                    .isNotEqualTo(new float[] {1, 0, 2});
        }
    }

    @Test
    void countsThatFollowTheUploadAgreeWithTheTamperedScores() {
        AttackConfig lying = new AttackConfig(AttackKind.INVERTED_LOGITS, 0.5, -10, 1, true, 42);
        TensorRecord softLabels =
                TensorRecord.builder()
                        .put(
                                "knowledge",
                                Tensor.of(
                                        new int[] {2, 3}, new float[] {0.5f, 0.3f, 0.2f, 1, 0, 0}),
                                TensorRole.PROBABILITIES)
                        .put("label-counts", Tensor.vector(10f, 0f, 0f), TensorRole.COUNTS)
                        .build();
        // reversed rows (0.2, 0.4, 0.5) / 1.1 and (0, 0.5, 0.5) average (1/11, 19/44, 21/44): ten
        // examples shared that way are (0.91, 4.32, 4.77), in whole examples (1, 4, 5)
        assertThat(values(lying.apply(softLabels, new Random(5)), "label-counts"))
                .containsExactly(1f, 4f, 5f);
        // inflated counts are shared out the same way, and the total kept: 20 as (1.82, 8.64,
        // 9.55) -> (2, 9, 9), the two examples left after (1, 8, 9) going to the two largest
        // remainders
        AttackConfig lyingAndInflating =
                new AttackConfig(AttackKind.INVERTED_LOGITS, 0.5, -10, 2, true, 42);
        assertThat(values(lyingAndInflating.apply(softLabels, new Random(5)), "label-counts"))
                .containsExactly(2f, 9f, 9f);

        TensorRecord logits =
                TensorRecord.builder()
                        .put(
                                "knowledge",
                                Tensor.of(new int[] {1, 2}, new float[] {0, (float) Math.log(3)}),
                                TensorRole.LOGITS)
                        .put("label-counts", Tensor.vector(2f, 6f), TensorRole.COUNTS)
                        .build();
        // negated logits (0, -ln 3) are (0.75, 0.25) after a softmax
        assertThat(values(lying.apply(logits, new Random(5)), "label-counts"))
                .containsExactly(6f, 2f);

        // an upload with more than one score matrix keeps the counts it would report
        assertThat(lying.apply(UPLOAD, new Random(5)).get("label-counts"))
                .isEqualTo(UPLOAD.get("label-counts"));
    }

    @Test
    void countsAndExactTensorsAreNeverTouchedWithHonestCounts() {
        for (AttackKind kind : AttackKind.values()) {
            TensorRecord tampered = attack(kind).apply(UPLOAD, new Random(5));
            assertThat(tampered.get("label-counts"))
                    .as(kind.configName())
                    .isEqualTo(UPLOAD.get("label-counts"));
            assertThat(tampered.get("ids")).as(kind.configName()).isEqualTo(UPLOAD.get("ids"));
            if (kind != AttackKind.RANDOM_FEATURES && kind != AttackKind.SCALED_FEATURES) {
                assertThat(tampered.get("prototype"))
                        .as(kind.configName())
                        .isEqualTo(UPLOAD.get("prototype"));
            }
        }
    }

    @Test
    void attackersAreASeededDrawOfRoundedFractionTimesN() {
        // java.util.Random's sequence is specified, so a seed picks the same ids on every JVM
        AttackConfig config = new AttackConfig(AttackKind.SIGN_FLIPPED_WEIGHTS, 0.3, 1, 42);
        assertThat(config.attackers(TEN_IDS)).containsExactly("p2", "p4", "p6");
        List<String> shuffled = new ArrayList<>(TEN_IDS);
        Collections.shuffle(shuffled, new Random(9));
        assertThat(config.attackers(shuffled)).containsExactly("p2", "p4", "p6");
        assertThat(new AttackConfig(AttackKind.SIGN_FLIPPED_WEIGHTS, 0.3, 1, 7).attackers(TEN_IDS))
                .containsExactly("p0", "p1", "p9");
        // 0.25 * 10 = 2.5 rounds up
        assertThat(new AttackConfig(AttackKind.LABEL_FLIPPING, 0.25, 1, 42).attackers(TEN_IDS))
                .hasSize(3);
        assertThat(new AttackConfig(AttackKind.LABEL_FLIPPING, 0, 1, 42).attackers(TEN_IDS))
                .isEmpty();
        assertThat(new AttackConfig(AttackKind.LABEL_FLIPPING, 1, 1, 42).attackers(TEN_IDS))
                .containsExactlyElementsOf(TEN_IDS);
        assertThatThrownBy(() -> config.attackers(List.of("a", "b", "a")))
                .hasMessage("participant ids must be distinct, 'a' appears twice");
    }

    @Test
    void configsNameTheBadFieldAndValue() {
        assertThatThrownBy(() -> new AttackConfig(null, 0.1, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "kind must be one of [label-flipping, random-logits, inverted-logits,"
                                + " scaled-weights, sign-flipped-weights, random-features,"
                                + " scaled-features], got null");
        assertThatThrownBy(() -> new AttackConfig(AttackKind.RANDOM_LOGITS, 1.5, 1, 0))
                .hasMessage("fraction must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new AttackConfig(AttackKind.RANDOM_LOGITS, Double.NaN, 1, 0))
                .hasMessage("fraction must be in [0, 1], got NaN");
        assertThatThrownBy(
                        () ->
                                new AttackConfig(
                                        AttackKind.SCALED_WEIGHTS,
                                        0.1,
                                        Double.POSITIVE_INFINITY,
                                        0))
                .hasMessage("scale must be finite, got Infinity");
    }

    @Test
    void kindsAreChosenByConfigName() {
        assertThat(AttackKind.fromConfigName("sign-flipped-weights"))
                .isEqualTo(AttackKind.SIGN_FLIPPED_WEIGHTS);
        assertThatThrownBy(() -> AttackKind.fromConfigName("backdoor"))
                .hasMessage(
                        "unknown attack 'backdoor'; known: [label-flipping, random-logits,"
                                + " inverted-logits, scaled-weights, sign-flipped-weights,"
                                + " random-features, scaled-features]");
    }
}
