package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulation killed with SIGKILL in the middle of an algorithm and resumed with {@code run
 * --resume} ends with the metrics of an uninterrupted run: every round recorded before the kill
 * kept, none twice.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunResumeTest {
    @TempDir Path dir;

    private static final String EXPERIMENT =
            """
            name: resumable
            seed: 9
            dataset: {name: fashion-mnist-sample, trainLimit: 900, testLimit: 300}
            participants: 4
            partition: {kind: dirichlet, alpha: 0.5}
            models: [mlp:32, lenet]
            threads: 1
            rounds: 8
            algorithms:
              - name: local-only
              - name: fd
              - name: fedavg
                models: mlp:32
            """;

    private static Path onlyRun(Path runs) throws IOException {
        try (Stream<Path> dirs = Files.list(runs)) {
            return dirs.findFirst().orElseThrow();
        }
    }

    private static List<String> withoutTime(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int wall = List.of(lines.get(0).split(",")).indexOf("wall_seconds");
        List<String> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            if (wall >= 0) {
                cells.remove(wall);
            }
            rows.add(String.join(",", cells));
        }
        return rows;
    }

    private static boolean hasRow(Path runs, String prefix) throws IOException {
        if (!Files.isDirectory(runs)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            Path run = dirs.findFirst().orElse(null);
            return run != null
                    && Files.exists(run.resolve("metrics.csv"))
                    && Files.readAllLines(run.resolve("metrics.csv")).stream()
                            .anyMatch(l -> l.startsWith(prefix));
        }
    }

    @Test
    void aRunKilledMidAlgorithmResumesToTheUninterruptedMetrics() throws Exception {
        Path yaml = Files.writeString(dir.resolve("resumable.yaml"), EXPERIMENT);
        Path whole = dir.resolve("whole");
        assertThat(FedistillCommand.execute("run", yaml.toString(), "--set", "outputDir=" + whole))
                .isZero();

        Path runs = dir.resolve("killed");
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-Dai.djl.pytorch.num_threads=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                FedistillCommand.class.getName(),
                                "run",
                                yaml.toString(),
                                "--set",
                                "outputDir=" + runs)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("console.txt").toFile())
                        .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && !hasRow(runs, "fd,3,")) {
                Thread.sleep(20);
            }
            assertThat(hasRow(runs, "fd,3,")).isTrue();
        } finally {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no summary
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path run = onlyRun(runs);
        assertThat(run.resolve("summary.md")).doesNotExist();
        assertThat(hasRow(runs, "fedavg,")).isFalse();

        assertThat(FedistillCommand.execute("run", "--resume", run.toString())).isZero();

        Path reference = onlyRun(whole);
        assertThat(withoutTime(run.resolve("metrics.csv")))
                .hasSize(1 + 3 * 8)
                .isEqualTo(withoutTime(reference.resolve("metrics.csv")));
        assertThat(Files.readString(run.resolve("participants.csv")))
                .isEqualTo(Files.readString(reference.resolve("participants.csv")));
        assertThat(Files.readString(run.resolve("traffic.csv")))
                .isEqualTo(Files.readString(reference.resolve("traffic.csv")));
        assertThat(run.resolve("summary.md")).isNotEmptyFile();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + run.resolve("run.db"));
                Statement sql = db.createStatement();
                ResultSet rows =
                        sql.executeQuery(
                                "SELECT COUNT(*), COUNT(DISTINCT algorithm || '/' || round)"
                                        + " FROM fedistill_rounds")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(24);
            assertThat(rows.getInt(2)).isEqualTo(24);
        }
        // a finished run resumed again runs nothing and changes nothing
        assertThat(FedistillCommand.execute("run", "--resume", run.toString())).isZero();
        assertThat(withoutTime(run.resolve("metrics.csv")))
                .isEqualTo(withoutTime(reference.resolve("metrics.csv")));
    }
}
