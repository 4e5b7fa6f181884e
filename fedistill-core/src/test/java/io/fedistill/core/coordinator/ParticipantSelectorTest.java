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
    void refusesBadSettings() {
        assertThatThrownBy(() -> new ParticipantSelector(0, 1))
                .hasMessageContaining("fraction must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new ParticipantSelector(0.5, 0))
                .hasMessageContaining("minimum must be >= 1, got 0");
    }
}
