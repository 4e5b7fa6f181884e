package io.fedistill.algorithms.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearntTrustTest {
    private static final float[][] REFERENCE = {{1, 0}};

    @Test
    void trustGoesIntoItsOwnCheckpointSectionAndComesBack() {
        LearntTrust learnt = new LearntTrust(2);
        learnt.trust()
                .orElseThrow()
                .reweigh(
                        List.of("a", "b"),
                        List.of(REFERENCE, new float[][] {{0, 1}}),
                        REFERENCE,
                        new double[][] {{0.5, 0.5}, {0.5, 0.5}});
        TensorRecord snapshot = learnt.snapshot();
        LearntTrust restored = new LearntTrust(2);

        restored.restore(snapshot);

        assertThat(snapshot.names()).containsExactly("trust/a", "trust/b");
        assertThat(restored.snapshot()).isEqualTo(snapshot);
        assertThat(restored.trust().orElseThrow().relativeTrust(List.of("a", "b")))
                .isEqualTo(learnt.trust().orElseThrow().relativeTrust(List.of("a", "b")));
    }

    @Test
    void noTrustIsLearntAtStepZeroAndACheckpointWithTrustIsThenRefused() {
        LearntTrust none = new LearntTrust(0);
        TensorRecord withTrust = TensorRecord.of("trust/a", Tensor.vector(-1), TensorRole.EXACT);

        none.restore(TensorRecord.empty());

        assertThat(none.trust()).isEmpty();
        assertThat(none.snapshot().isEmpty()).isTrue();
        assertThatThrownBy(() -> none.restore(withTrust))
                .hasMessage(
                        "the checkpoint holds trust in [a], but this run learns none (trustStepSize 0)");
        assertThatThrownBy(
                        () ->
                                new LearntTrust(1)
                                        .restore(
                                                TensorRecord.of(
                                                        "weights",
                                                        Tensor.vector(1),
                                                        TensorRole.EXACT)))
                .hasMessage(
                        "a checkpoint of learnt trust holds only its 'trust' section, got [weights]");
    }

    @Test
    void aRestoreReplacesWhatWasHeldAndRefusesAnythingBesideTrust() {
        LearntTrust learnt = new LearntTrust(1);
        learnt.restore(TensorRecord.of("trust/old", Tensor.vector(-3), TensorRole.EXACT));

        learnt.restore(TensorRecord.of("trust/a", Tensor.vector(-1), TensorRole.EXACT));
        assertThat(learnt.snapshot().names()).containsExactly("trust/a");
        learnt.restore(TensorRecord.empty());
        assertThat(learnt.snapshot().isEmpty()).isTrue();

        TensorRecord mixed =
                TensorRecord.builder()
                        .put("trust/a", Tensor.vector(-1), TensorRole.EXACT)
                        .put("weights", Tensor.vector(1), TensorRole.EXACT)
                        .build();
        assertThatThrownBy(() -> learnt.restore(mixed))
                .hasMessage(
                        "a checkpoint of learnt trust holds only its 'trust' section, got [trust/a,"
                                + " weights]");
    }
}
