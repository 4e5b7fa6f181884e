package io.fedistill.algorithms.fedmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FedMdSettingsTest {

    @Test
    void trustIsReadAndRefusedWhereItCannotWork() {
        assertThat(FedMdSettings.fromOptions(Map.of()).trustStepSize()).isZero();
        assertThat(FedMdSettings.fromOptions(Map.of("trustStepSize", 0.5)).trustStepSize())
                .isEqualTo(0.5);
        assertThatThrownBy(
                        () -> FedMdSettings.fromOptions(Map.of("trustStepSize", 1, "secure", true)))
                .hasMessage(
                        "fedmd: trustStepSize reads each participant's class scores, which secure"
                                + " aggregation hides; choose one");
        assertThatThrownBy(
                        () ->
                                FedMdSettings.fromOptions(
                                        Map.of("trustStepSize", 1, "robust", "trimmed-mean")))
                .hasMessage(
                        "fedmd: trustStepSize scales the participants' weights, which robust:"
                                + " trimmed-mean does not read; use robust: mean or median");
        assertThatThrownBy(
                        () ->
                                new FedMdSettings(
                                        10,
                                        0,
                                        1,
                                        1,
                                        ParticipantWeighting.UNIFORM,
                                        RobustAggregation.mean(),
                                        false,
                                        Double.NaN,
                                        Optional.empty()))
                .hasMessage("fedmd: trustStepSize must be finite and >= 0 (0: no trust), got NaN");
    }

    @Test
    void thePriorCheckIsReadAndRefusedWhereItCannotWork() {
        assertThat(FedMdSettings.fromOptions(Map.of()).priorCheck()).isFalse();
        assertThat(FedMdSettings.fromOptions(Map.of("priorCheck", true)).priorCheck()).isTrue();
        assertThatThrownBy(
                        () -> FedMdSettings.fromOptions(Map.of("priorCheck", true, "secure", true)))
                .hasMessage(
                        "fedmd: priorCheck reads each participant's class scores, which secure"
                                + " aggregation hides; choose one");
        assertThatThrownBy(
                        () ->
                                FedMdSettings.fromOptions(
                                        Map.of("priorCheck", true, "robust", "krum")))
                .hasMessage(
                        "fedmd: priorCheck scales the participants' weights, which robust: krum"
                                + " does not read; use robust: mean or median");
    }
}
