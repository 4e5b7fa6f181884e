package io.fedistill.core.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParticipantSelectorTest {
    private final List<String> fleet = IntStream.range(0, 10).mapToObj(i -> "p" + i).toList();

    @Test
    void selectsSeededFractionWithMinimum() {
        ParticipantSelector selector = new ParticipantSelector(0.3, 1);
        List<String> first = selector.select(fleet, 1, 42);
        assertThat(first).hasSize(3).isSubsetOf(fleet).doesNotHaveDuplicates();
        assertThat(selector.select(fleet, 1, 42)).isEqualTo(first);
        assertThat(
                        IntStream.rangeClosed(1, 20)
                                .mapToObj(r -> selector.select(fleet, r, 42))
                                .distinct()
                                .count())
                .isGreaterThan(1);
        assertThat(new ParticipantSelector(0.01, 4).select(fleet, 1, 42)).hasSize(4);
        assertThat(new ParticipantSelector(0.5, 20).select(fleet, 1, 42)).isEqualTo(fleet);
    }

    @Test
    void poissonSamplingTakesEachParticipantIndependentlyAndSecretly() {
        ParticipantSelector poisson = new ParticipantSelector(0.3, 1).withPoissonSampling();
        List<String> big = IntStream.range(0, 1000).mapToObj(i -> "p" + i).toList();
        int[] sizes = new int[200];
        int[] timesOfP0 = new int[1];
        for (int round = 0; round < sizes.length; round++) {
            List<String> selected = poisson.select(big, 1, 42);
            assertThat(selected).isSubsetOf(big).doesNotHaveDuplicates();
            // fleet order is kept
            assertThat(selected)
                    .isSortedAccordingTo(java.util.Comparator.comparingInt(big::indexOf));
            sizes[round] = selected.size();
            timesOfP0[0] += selected.contains("p0") ? 1 : 0;
        }
        // the size varies (binomial: mean 300, sd 14.5), and the same round and seed draw anew
        double mean = java.util.Arrays.stream(sizes).average().orElseThrow();
        assertThat(mean).isBetween(290.0, 310.0);
        assertThat(java.util.Arrays.stream(sizes).distinct().count()).isGreaterThan(10);
        // one participant's rate: binomial(200, 0.3), mean 60, sd 6.5
        assertThat(timesOfP0[0]).isBetween(30, 90);
        assertThat(new ParticipantSelector(1.0, 1).withPoissonSampling().select(fleet, 1, 42))
                .isEqualTo(fleet);
        assertThatThrownBy(() -> new ParticipantSelector(0.3, 2).withPoissonSampling())
                .hasMessageContaining("minParticipants must be 1 under Poisson sampling");
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new ParticipantSelector(0, 1))
                .hasMessageContaining("fraction must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new ParticipantSelector(0.5, 0))
                .hasMessageContaining("minimum must be >= 1, got 0");
    }
}
