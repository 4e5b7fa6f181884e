package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class KrumTest {
    /**
     * Seven updates: five honest ones near 2 and, at positions 1 and 4, two Byzantine ones far
     * away. A second, constant tensor checks that distances and roles span every tensor.
     */
    static final List<TensorRecord> SEVEN_UPDATES =
            List.of(
                    update(0),
                    update(100),
                    update(1),
                    update(2),
                    update(110),
                    update(4),
                    update(5));

    static TensorRecord update(float value) {
        return TensorRecord.builder()
                .put("w", Tensor.vector(value), TensorRole.WEIGHTS)
                .put("prototype", Tensor.vector(-1f), TensorRole.FEATURES)
                .build();
    }

    @Test
    void scoresSumTheSquaredDistancesToTheNearestNMinusFMinusTwo() {
        // f = 2 of n = 7: each score sums the 3 smallest squared distances, e.g. for 0:
        // 1 + 4 + 16 (to 1, 2 and 4) and for 100: 100 + 9025 + 9216 (to 110, 5 and 4)
        assertThat(Krum.scores(SEVEN_UPDATES, 2)).containsExactly(21, 18341, 11, 9, 22361, 14, 26);
    }

    @Test
    void krumPicksTheMostCentralHonestUpdate() {
        RobustResult<TensorRecord> krum = Krum.aggregate(SEVEN_UPDATES, 2, 1);
        assertThat(krum.selected()).containsExactly(3);
        assertThat(krum.excluded()).isEqualTo(6);
        assertThat(krum.aggregate()).isEqualTo(update(2));
    }

    @Test
    void multiKrumAveragesTheLowestScoresAndLeavesOutTheFarUpdates() {
        RobustResult<TensorRecord> all = Krum.aggregate(SEVEN_UPDATES, 2, 5);
        assertThat(all.selected()).containsExactly(0, 2, 3, 5, 6);
        assertThat(all.excluded()).isEqualTo(2);
        // (0 + 1 + 2 + 4 + 5) / 5
        assertThat(all.aggregate().get("w").toFloatArray()).containsExactly(2.4f);
        assertThat(all.aggregate().get("prototype").toFloatArray()).containsExactly(-1f);
        assertThat(all.aggregate().role("w")).isEqualTo(TensorRole.WEIGHTS);
        assertThat(all.aggregate().role("prototype")).isEqualTo(TensorRole.FEATURES);

        RobustResult<TensorRecord> three = Krum.aggregate(SEVEN_UPDATES, 2, 3);
        // scores 9, 11 and 14: the updates 2, 1 and 4
        assertThat(three.selected()).containsExactly(2, 3, 5);
        assertThat(three.aggregate().get("w").toFloatArray()).containsExactly((float) (7.0 / 3));
    }

    @Test
    void tiesGoToTheEarlierUpdate() {
        // f = 0 of n = 4: scores sum the 2 nearest, 5, 2, 2, 5; updates 1 and 2 tie
        List<TensorRecord> four = List.of(update(3), update(1), update(2), update(0));
        assertThat(Krum.scores(four, 0)).containsExactly(5, 2, 2, 5);
        assertThat(Krum.aggregate(four, 0, 1).selected()).containsExactly(1);
    }

    @Test
    void refusesTooFewUpdatesForTheAssumedByzantineCount() {
        List<TensorRecord> six = SEVEN_UPDATES.subList(0, 6);
        assertThatThrownBy(() -> Krum.aggregate(six, 2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Krum needs n > 2f + 2 updates, got n = 6 with f = 2 assumed Byzantine");
        assertThatThrownBy(() -> Krum.scores(SEVEN_UPDATES, -1))
                .hasMessage("assumedByzantine must be >= 0, got -1");
    }

    @Test
    void refusesASelectCountOutsideOneToNMinusF() {
        assertThatThrownBy(() -> Krum.aggregate(SEVEN_UPDATES, 2, 6))
                .hasMessage("multiKrumSelect must be in [1, n - f] = [1, 5], got 6");
        assertThatThrownBy(() -> Krum.aggregate(SEVEN_UPDATES, 2, 0))
                .hasMessage("multiKrumSelect must be in [1, n - f] = [1, 5], got 0");
    }

    @Test
    void refusesMismatchedShapes() {
        List<TensorRecord> mismatched =
                List.of(
                        update(0),
                        update(1),
                        update(2),
                        TensorRecord.builder()
                                .put("w", Tensor.vector(3f, 3f), TensorRole.WEIGHTS)
                                .put("prototype", Tensor.vector(-1f), TensorRole.FEATURES)
                                .build());
        assertThatThrownBy(() -> Krum.aggregate(mismatched, 0, 1))
                .hasMessage("tensor 'w' has shape [2] for participant 3 but [1] for participant 0");
    }
}
