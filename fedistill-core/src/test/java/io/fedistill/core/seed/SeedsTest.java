package io.fedistill.core.seed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeedsTest {
    @Test
    void derivationIsStableAndSeparatesStreams() {
        long base = Seeds.derive(7, 1, "p0", "shuffle");
        assertThat(Seeds.derive(7, 1, "p0", "shuffle")).isEqualTo(base);
        assertThat(Seeds.derive(8, 1, "p0", "shuffle")).isNotEqualTo(base);
        assertThat(Seeds.derive(7, 2, "p0", "shuffle")).isNotEqualTo(base);
        assertThat(Seeds.derive(7, 1, "p1", "shuffle")).isNotEqualTo(base);
        assertThat(Seeds.derive(7, 1, "p0", "init")).isNotEqualTo(base);
    }
}
