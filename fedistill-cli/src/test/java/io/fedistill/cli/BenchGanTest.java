package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchGanTest {
    @Test
    void scoresTheGanWithAndWithoutItsClassifierOnRealImages() {
        String out =
                CliRuns.runCapturingOut(
                        "bench",
                        "gan",
                        "--sample",
                        "--reference-images",
                        "2000",
                        "--seeds-per-label",
                        "10",
                        "--steps",
                        "20",
                        "--generated-per-label",
                        "5");
        List<String> rows = out.lines().filter(line -> line.matches("^[0-9.]+ \\| .*")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).startsWith("0.00 | ");
        assertThat(rows.get(1)).startsWith("1.00 | ");
        for (String row : rows) {
            String[] cells = row.split(" \\| ");
            assertThat(Double.parseDouble(cells[2])).as("label separation").isNotNegative();
            assertThat(Double.parseDouble(cells[3])).as("label fidelity").isBetween(0.0, 1.0);
            assertThat(Double.parseDouble(cells[4])).as("test accuracy").isBetween(0.0, 1.0);
        }
        assertThat(out).contains("seeds: 10 of each label (100)");
    }

    @Test
    void refusesMoreSeedsThanTheTrainingSetHolds() {
        assertThat(
                        CliRuns.runCapturingErr(
                                2,
                                "bench",
                                "gan",
                                "--sample",
                                "--reference-images",
                                "3900",
                                "--seeds-per-label",
                                "50"))
                .contains("--reference-images 3900 and --seeds-per-label 50");
    }
}
