package io.fedistill.algorithms.dsfl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.aggregate.RobustRule;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DsflSettingsTest {

    @Test
    void trustIsOffUnlessAStepSizeIsGiven() {
        assertThat(DsflSettings.fromOptions(Map.of()).trustStepSize()).isZero();
        DsflSettings trusting =
                DsflSettings.fromOptions(
                        Map.of(
                                "robust",
                                "median",
                                "weighting",
                                "class-counts",
                                "trustStepSize",
                                5));
        assertThat(trusting.trustStepSize()).isEqualTo(5);
        assertThat(trusting.robust().rule()).isEqualTo(RobustRule.MEDIAN);
    }

    @Test
    void trustIsRefusedWhereItCannotWork() {
        assertThatThrownBy(
                        () -> DsflSettings.fromOptions(Map.of("trustStepSize", 1, "secure", true)))
                .hasMessage(
                        "dsfl: trustStepSize charges each participant's soft labels, which secure"
                                + " aggregation hides; choose one");
        assertThatThrownBy(
                        () ->
                                DsflSettings.fromOptions(
                                        Map.of("trustStepSize", 1, "robust", "multi-krum")))
                .hasMessage(
                        "dsfl: trustStepSize scales the participants' weights, which robust:"
                                + " multi-krum does not read; use robust: mean or median");
        assertThatThrownBy(() -> DsflSettings.fromOptions(Map.of("trustStepSize", -1)))
                .hasMessage(
                        "algorithm 'dsfl': option 'trustStepSize' must be in [0.0, 1000.0], got"
                                + " -1.0");
    }
}
