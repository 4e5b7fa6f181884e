package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DpCommandTest {
    private static String runCapturingOut(String... args) {
        return CliRuns.runCapturingOut(args);
    }

    private static String runCapturingErr(String... args) {
        return CliRuns.runCapturingErr(2, args);
    }

    @Test
    void epsilonMatchesOpacusRoundedUp() {
        // Opacus's accountant test: 7.32911117143 after 2,250 steps at q = 0.04, sigma = 1.5
        assertThat(
                        runCapturingOut(
                                "dp",
                                "epsilon",
                                "--sampling-rate",
                                "0.04",
                                "--noise-multiplier",
                                "1.5",
                                "--steps",
                                "2250",
                                "--delta",
                                "1e-5"))
                .isEqualTo("epsilon=7.3292 order=3.9" + System.lineSeparator());
    }

    @Test
    void noiseIsTheSmallestWithinTheTargetRoundedUp() {
        // Opacus's get_noise_multiplier test: 1.416 for epsilon 8 over the same run
        assertThat(
                        runCapturingOut(
                                "dp",
                                "noise",
                                "--epsilon",
                                "8",
                                "--sampling-rate",
                                "0.04",
                                "--steps",
                                "2250",
                                "--delta",
                                "1e-5"))
                .matches("noise_multiplier=1\\.4161 epsilon=7\\.99\\d\\d order=[\\d.]+\\R");
    }

    @Test
    void noNoiseSpendsAnInfiniteEpsilon() {
        assertThat(
                        runCapturingOut(
                                "dp",
                                "epsilon",
                                "--sampling-rate",
                                "0.04",
                                "--noise-multiplier",
                                "0",
                                "--steps",
                                "1",
                                "--delta",
                                "1e-5"))
                .isEqualTo("epsilon=inf order=none" + System.lineSeparator());
    }

    @Test
    void badInputIsNamedInOneLine() {
        assertThat(
                        runCapturingErr(
                                "dp",
                                "epsilon",
                                "--sampling-rate",
                                "1.5",
                                "--noise-multiplier",
                                "1",
                                "--steps",
                                "10",
                                "--delta",
                                "1e-5"))
                .isEqualTo(
                        "error: --sampling-rate must be in [0, 1], got 1.5"
                                + System.lineSeparator());
        assertThat(
                        runCapturingErr(
                                "dp",
                                "noise",
                                "--epsilon",
                                "0.05",
                                "--sampling-rate",
                                "0.04",
                                "--steps",
                                "2250",
                                "--delta",
                                "1e-5"))
                .contains("error: --epsilon 0.05 cannot be reached")
                .doesNotContain("\tat ");
        assertThat(runCapturingErr("dp", "epsilon", "--sampling-rate", "0.04"))
                .contains("Missing required options");
    }
}
