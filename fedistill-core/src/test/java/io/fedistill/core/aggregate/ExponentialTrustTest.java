package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.List;
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
    void theOnlyHolderOfAClassKeepsItsVoteHoweverLittleItIsTrusted() {
        ExponentialTrust trust = new ExponentialTrust(100);
        double[][] onlyCHoldsClass0 = {{0, 0.5}, {0, 0.5}, {1, 0}};

        double[][] scaled = trust.reweigh(IDS, SCORES, REFERENCE, onlyCHoldsClass0);

        assertThat(scaled[2][0]).isEqualTo(1.0);
        assertThat(scaled[0][1]).isEqualTo(0.5);
        assertThat(scaled[1][1]).isEqualTo(0.5);
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
                                trust.restore(
                                        TensorRecord.of(
                                                "a", Tensor.vector(1, 2), TensorRole.EXACT)))
                .hasMessageContaining("trust of a must be one finite value, got 2 values");
    }
}
