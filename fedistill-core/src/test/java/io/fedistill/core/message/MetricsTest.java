package io.fedistill.core.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void withAllAddsTheOthersValuesInOrderAndReplacesThoseOfTheSameName() {
        Metrics metrics = Metrics.of("loss", 0.5, "examples", 10);

        Metrics merged = metrics.withAll(Metrics.of("examples", 12, "participants_flagged", 1));

        assertThat(merged.values().keySet())
                .containsExactly("loss", "examples", "participants_flagged");
        assertThat(merged.get("examples")).isEqualTo(12);
        assertThat(metrics.get("examples")).as("the original is unchanged").isEqualTo(10);
        assertThat(metrics.withAll(Metrics.empty())).isSameAs(metrics);
    }
}
