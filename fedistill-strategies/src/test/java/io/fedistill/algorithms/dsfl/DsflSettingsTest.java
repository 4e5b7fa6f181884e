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
                        "dsfl: trustStepSize reads each participant's soft labels, which secure"
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

    @Test
    void rootLabelsNeedLabeledPublicDataAndIndividualUploads() {
        DsflSettings checking =
                DsflSettings.fromOptions(Map.of("subsetSize", 100, "rootLabels", 20));
        assertThat(checking.rootLabels()).isEqualTo(20);
        assertThatThrownBy(
                        () ->
                                checking.validate(
                                        java.util.Optional.of(
                                                new io.fedistill.algorithms.PublicDataFacts(
                                                        500, false))))
                .hasMessage(
                        "dsfl: rootLabels needs the coordinator to know public labels: set"
                                + " publicData.labeled: true, or rootLabels: 0");
        checking.validate(
                java.util.Optional.of(new io.fedistill.algorithms.PublicDataFacts(500, true)));
        assertThatThrownBy(() -> checking.newStrategy(10, java.util.Optional.empty()))
                .hasMessage(
                        "dsfl: rootLabels needs a coordinator that holds the public data's labels;"
                                + " this one holds no data");
        assertThatThrownBy(
                        () ->
                                DsflSettings.fromOptions(
                                        Map.of("subsetSize", 100, "rootLabels", 200)))
                .hasMessage("dsfl: rootLabels must be in [0, subsetSize 100], got 200");
        assertThatThrownBy(() -> DsflSettings.fromOptions(Map.of("rootLabels", 10, "secure", true)))
                .hasMessage(
                        "dsfl: rootLabels reads each participant's soft labels, which secure"
                                + " aggregation hides; choose one");
        assertThatThrownBy(
                        () ->
                                DsflSettings.fromOptions(
                                        Map.of("rootLabels", 10, "robust", "trimmed-mean")))
                .hasMessage(
                        "dsfl: rootLabels scales the participants' weights, which robust:"
                                + " trimmed-mean does not read; use robust: mean or median");
    }

    @Test
    void thePriorCheckIsOffUnlessAskedForAndRefusedWhereItCannotWork() {
        assertThat(DsflSettings.fromOptions(Map.of()).priorCheck()).isFalse();
        assertThat(
                        DsflSettings.fromOptions(Map.of("priorCheck", true, "robust", "median"))
                                .priorCheck())
                .isTrue();
        assertThatThrownBy(
                        () -> DsflSettings.fromOptions(Map.of("priorCheck", true, "secure", true)))
                .hasMessage(
                        "dsfl: priorCheck reads each participant's soft labels, which secure"
                                + " aggregation hides; choose one");
        assertThatThrownBy(
                        () ->
                                DsflSettings.fromOptions(
                                        Map.of("priorCheck", true, "robust", "multi-krum")))
                .hasMessage(
                        "dsfl: priorCheck scales the participants' weights, which robust:"
                                + " multi-krum does not read; use robust: mean or median");
    }
}
