package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExponentialTrustTest {
    private static final List<String> IDS = List.of("a", "b", "c");

    /** The reference both honest participants agree with, two samples of two classes. */
    private static final float[][] REFERENCE = {{1, 0}, {0, 1}};

    /** a and b send the reference; c sends it reversed, at distance sqrt(2) in every row. */
    private static final List<float[][]> SCORES =
            List.of(REFERENCE, new float[][] {{1, 0}, {0, 1}}, new float[][] {{0, 1}, {1, 0}});

    /** Class 0 is held by a and c, class 1 by all three. */
    private static final double[][] WEIGHTS = {{0.5, 0.2}, {0, 0.3}, {0.5, 0.5}};

    /** Log trust is kept at float precision, so results agree with the formulas to about 1e-7. */
    @Test
    void aParticipantFarFromTheAggregateLosesWeightByTheExponentialOfItsDistance() {
        ExponentialTrust trust = new ExponentialTrust(2);

        double[][] scaled = trust.reweigh(IDS, SCORES, REFERENCE, WEIGHTS);

        double factor = Math.exp(-2 * Math.sqrt(2));
        double class0 = 0.5 + 0.5 * factor;
        double class1 = 0.2 + 0.3 + 0.5 * factor;
        assertThat(scaled[0][0]).isCloseTo(0.5 / class0, within(1e-7));
        assertThat(scaled[1][0]).isZero();
        assertThat(scaled[2][0]).isCloseTo(0.5 * factor / class0, within(1e-7));
        assertThat(scaled[0][1]).isCloseTo(0.2 / class1, within(1e-7));
        assertThat(scaled[1][1]).isCloseTo(0.3 / class1, within(1e-7));
        assertThat(scaled[2][1]).isCloseTo(0.5 * factor / class1, within(1e-7));
        assertThat(trust.relativeTrust(IDS).get("a")).isEqualTo(1.0);
        assertThat(trust.relativeTrust(IDS).get("b")).isEqualTo(1.0);
        assertThat(trust.relativeTrust(IDS).get("c")).isCloseTo(factor, within(1e-7));
    }

    @Test
    void trustFallsRoundAfterRoundForAParticipantThatStaysFar() {
        ExponentialTrust trust = new ExponentialTrust(0.5);

        for (int round = 0; round < 4; round++) {
            trust.reweigh(IDS, SCORES, REFERENCE, WEIGHTS);
        }

        assertThat(trust.relativeTrust(IDS).get("c"))
                .isCloseTo(Math.exp(-0.5 * 4 * Math.sqrt(2)), within(1e-7));
        assertThat(trust.relativeTrust(List.of("a", "new")).values()).containsExactly(1.0, 1.0);
    }

    @Test
    void unequalLossesSetTrustByTheirDifference() {
        ExponentialTrust trust = new ExponentialTrust(3);
        // one sample: distances sqrt(0.02) = 0.1414214, sqrt(0.08) = 0.2828427 and sqrt(2)
        List<float[][]> scores =
                List.of(
                        new float[][] {{0.9f, 0.1f}},
                        new float[][] {{0.8f, 0.2f}},
                        new float[][] {{0, 1}});

        trust.reweigh(IDS, scores, new float[][] {{1, 0}}, WEIGHTS);

        assertThat(trust.relativeTrust(IDS).get("b"))
                .isCloseTo(Math.exp(-3 * (0.2828427 - 0.1414214)), within(1e-6));
        assertThat(trust.relativeTrust(IDS).get("c"))
                .isCloseTo(Math.exp(-3 * (Math.sqrt(2) - 0.1414214)), within(1e-6));
    }

    @Test
    void aLateJoinerWithATypicalLossIsTrustedAsTheTypicalParticipant() {
        ExponentialTrust trust = new ExponentialTrust(3);
        float[][] reference = {{1, 0}};
        float[][] typical = {{0.8f, 0.2f}};
        List<float[][]> scores =
                List.of(new float[][] {{0.9f, 0.1f}}, typical, new float[][] {{0, 1}});
        for (int round = 0; round < 3; round++) {
            trust.reweigh(IDS, scores, reference, WEIGHTS);
        }
        List<String> withNewcomer = List.of("a", "b", "c", "new");
        double[][] fourWeights = {{0.25, 0.25}, {0.25, 0.25}, {0.25, 0.25}, {0.25, 0.25}};

        // b's loss is the median every round, so b is charged nothing, and so is the newcomer,
        // which starts where b stands: charged in excess of the median, being charged less often
        // is no advantage
        trust.reweigh(
                withNewcomer,
                List.of(scores.get(0), typical, scores.get(2), typical),
                reference,
                fourWeights);

        Map<String, Double> relative = trust.relativeTrust(withNewcomer);
        assertThat(relative.get("new")).isEqualTo(relative.get("b")).isLessThan(1.0);
        assertThat(relative.get("a")).isEqualTo(1.0);
    }

    @Test
    void theHoldersOfAClassShareItByTheirTrustRelativeToEachOtherNotToOthers() {
        ExponentialTrust trust = new ExponentialTrust(1);
        List<String> ids = List.of("a", "c", "d");
        // c and d are so distrusted that exp(log trust) underflows against a, which holds no class
        // 0
        trust.restore(
                TensorRecord.builder()
                        .put("a", Tensor.vector(0), TensorRole.EXACT)
                        .put("c", Tensor.vector(-1000), TensorRole.EXACT)
                        .put("d", Tensor.vector(-1001), TensorRole.EXACT)
                        .build());
        double[][] onlyCAndDHoldClass0 = {{0, 0.5}, {0.5, 0.25}, {0.5, 0.25}};

        // every participant sends the reference: no loss, trust unchanged
        double[][] scaled =
                trust.reweigh(
                        ids,
                        List.of(REFERENCE, REFERENCE, REFERENCE),
                        REFERENCE,
                        onlyCAndDHoldClass0);

        assertThat(scaled[1][0]).isCloseTo(1 / (1 + Math.exp(-1)), within(1e-9));
        assertThat(scaled[2][0]).isCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), within(1e-9));
        assertThat(scaled[0][1]).isEqualTo(1.0);
        assertThat(scaled[1][1]).isZero();
    }

    @Test
    void aRestoredSnapshotGoesOnAsTheOriginalWould() {
        ExponentialTrust original = new ExponentialTrust(1);
        original.reweigh(IDS, SCORES, REFERENCE, WEIGHTS);
        TensorRecord snapshot = original.snapshot();
        ExponentialTrust restored = new ExponentialTrust(1);

        restored.restore(snapshot);

        assertThat(snapshot.names()).containsExactly("a", "b", "c");
        assertThat(restored.reweigh(IDS, SCORES, REFERENCE, WEIGHTS))
                .isDeepEqualTo(original.reweigh(IDS, SCORES, REFERENCE, WEIGHTS));
    }

    @Test
    void badInputIsRefusedByName() {
        ExponentialTrust trust = new ExponentialTrust(1);

        assertThatThrownBy(() -> new ExponentialTrust(0))
                .hasMessageContaining("trust step size must be positive and finite, got 0.0");
        assertThatThrownBy(() -> trust.reweigh(IDS, SCORES.subList(0, 2), REFERENCE, WEIGHTS))
                .hasMessageContaining("3 participants but 2 score matrices and 3 weight rows");
        assertThatThrownBy(
                        () ->
                                trust.reweigh(
                                        IDS,
                                        List.of(REFERENCE, REFERENCE, new float[][] {{1, 0}}),
                                        REFERENCE,
                                        WEIGHTS))
                .hasMessageContaining("c sent 1 score rows, the aggregate has 2");
        assertThatThrownBy(
                        () ->
                                trust.reweigh(
                                        IDS,
                                        SCORES,
                                        REFERENCE,
                                        new double[][] {{0.5, 0.2}, {0.3}, {0.5, 0.5}}))
                .hasMessageContaining("b has 1 class weights, a 2");
        assertThatThrownBy(() -> trust.reweigh(List.of("a", "b", "a"), SCORES, REFERENCE, WEIGHTS))
                .hasMessageContaining("a participant is named twice in [a, b, a]");
        assertThat(trust.snapshot().names()).as("refused input changes no trust").isEmpty();
        assertThatThrownBy(
                        () ->
                                trust.restore(
                                        TensorRecord.of(
                                                "a", Tensor.vector(1, 2), TensorRole.EXACT)))
                .hasMessageContaining("trust of a must be one value, got 2");
        assertThatThrownBy(
                        () ->
                                trust.restore(
                                        TensorRecord.of(
                                                "a", Tensor.vector(Float.NaN), TensorRole.EXACT)))
                .hasMessageContaining("trust of a must be finite, got NaN");
    }
}
