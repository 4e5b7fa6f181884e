package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
            workers: 0
            rounds: 8
            algorithms:
              - name: local-only
              - name: fd
              - name: fedavg
                models: mlp:32
            """;

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

    /**
     * Runs the experiment whole, then again in a JVM killed with SIGKILL once {@code killAfter} is
     * recorded, resumes that run and checks it ends as the whole run did; returns the run.
     */
    private Path killResumeAndCompare(String experiment, String killAfter, int rows)
            throws Exception {
        Path yaml = Files.writeString(dir.resolve("resumable.yaml"), experiment);
        Path whole = dir.resolve("whole");
        assertThat(FedistillCommand.execute("run", yaml.toString(), "--set", "outputDir=" + whole))
                .isZero();

        Path runs = dir.resolve("killed");
        Process process =
                CliRuns.fedistillJvm(
                                dir.resolve("console.txt"),
                                "run",
                                yaml.toString(),
                                "--set",
                                "outputDir=" + runs)
                        .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && !hasRow(runs, killAfter)) {
                Thread.sleep(20);
            }
            assertThat(hasRow(runs, killAfter)).isTrue();
        } finally {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no summary
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path run = CliRuns.onlyRun(runs);
        assertThat(run.resolve("summary.md")).doesNotExist();

        assertThat(FedistillCommand.execute("run", "--resume", run.toString())).isZero();

        Path reference = CliRuns.onlyRun(whole);
        assertThat(CliRuns.metricsWithoutTime(run))
                .hasSize(1 + rows)
                .isEqualTo(CliRuns.metricsWithoutTime(reference));
        assertThat(Files.readString(run.resolve("participants.csv")))
                .isEqualTo(Files.readString(reference.resolve("participants.csv")));
        assertThat(Files.readString(run.resolve("traffic.csv")))
                .isEqualTo(Files.readString(reference.resolve("traffic.csv")));
        assertThat(run.resolve("summary.md")).isNotEmptyFile();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + run.resolve("run.db"));
                Statement sql = db.createStatement();
                ResultSet counted =
                        sql.executeQuery(
                                "SELECT COUNT(*), COUNT(DISTINCT algorithm || '/' || round)"
                                        + " FROM fedistill_rounds")) {
            counted.next();
            assertThat(counted.getInt(1)).isEqualTo(rows);
            assertThat(counted.getInt(2)).isEqualTo(rows);
        }
        return run;
    }

    @Test
    void aRunKilledMidAlgorithmResumesToTheUninterruptedMetrics() throws Exception {
        Path run = killResumeAndCompare(EXPERIMENT, "fd,3,", 3 * 8);
        // a finished run resumed again runs nothing and changes nothing
        List<String> finished = CliRuns.metricsWithoutTime(run);
        assertThat(FedistillCommand.execute("run", "--resume", run.toString())).isZero();
        assertThat(CliRuns.metricsWithoutTime(run)).isEqualTo(finished);
    }

    private static int wallColumn(Path run) throws IOException {
        return List.of(Files.readAllLines(run.resolve("metrics.csv")).get(0).split(","))
                .indexOf("wall_seconds");
    }

    /** Returns the wall seconds the summary's table gives the one algorithm of a run. */
    private static double summaryWallSeconds(Path run) throws IOException {
        String row =
                Files.readAllLines(run.resolve("summary.md")).stream()
                        .filter(l -> l.startsWith("| local-only |"))
                        .findFirst()
                        .orElseThrow();
        String[] cells = row.split("\\|");
        return Double.parseDouble(cells[cells.length - 1].trim());
    }

    /** Runs the experiment's algorithms given, for two rounds, into {@code outputDir}. */
    private Path twoRoundRun(String outputDir, String algorithms) throws IOException {
        Path yaml = Files.writeString(dir.resolve("resumable.yaml"), EXPERIMENT);
        Path runs = dir.resolve(outputDir);
        assertThat(
                        FedistillCommand.execute(
                                "run",
                                yaml.toString(),
                                "--set",
                                "outputDir=" + runs,
                                "--set",
                                "rounds=2",
                                "--set",
                                "algorithms=[" + algorithms + "]"))
                .isZero();
        return CliRuns.onlyRun(runs);
    }

    @Test
    void aDirectoryWhoseStoreDoesNotHoldItsRunIsRefusedAndLeftAsItWas() throws Exception {
        Path run = twoRoundRun("runs", "{name: local-only}");
        double wall = summaryWallSeconds(run);
        int wallColumn = wallColumn(run);
        double rounds =
                Files.readAllLines(run.resolve("metrics.csv")).stream()
                        .skip(1)
                        .mapToDouble(l -> Double.parseDouble(l.split(",")[wallColumn]))
                        .sum();
        // a finished run resumed keeps the wall time its rounds took (not the first process's
        // set-up), where it would otherwise show the fraction of a second the resume took
        assertThat(FedistillCommand.execute("run", "--resume", run.toString())).isZero();
        assertThat(summaryWallSeconds(run)).isBetween(rounds - 0.06, wall + 1.0);

        Path renamed = dir.resolve("renamed");
        copy(run, renamed);
        assertRefusedUnchanged(
                renamed,
                "cannot resume "
                        + renamed
                        + ": its run store holds no run 'renamed' (the run id is the directory's"
                        + " name; was it renamed or copied? the store holds "
                        + run.getFileName()
                        + ")");

        Path withoutStore = dir.resolve("without-store");
        copy(run, withoutStore);
        Files.delete(withoutStore.resolve("run.db"));
        assertRefusedUnchanged(
                withoutStore, withoutStore + " has no run.db: nothing recorded to resume from");

        Path corrupt = dir.resolve("elsewhere").resolve(run.getFileName().toString());
        copy(run, corrupt);
        byte[] db = Files.readAllBytes(corrupt.resolve("run.db"));
        Files.write(corrupt.resolve("run.db"), Arrays.copyOf(db, 5000));
        assertRefusedUnchanged(corrupt, "cannot resume " + corrupt + ": cannot open the run store");
    }

    @Test
    void reportWritesTheSummaryAndPlotsAgainFromTheStoreAndTouchesNothingElse() throws Exception {
        Path run = twoRoundRun("reported", "{name: local-only}, {name: fd}");
        List<String> written = accuracyRows(Files.readString(run.resolve("summary.md")));
        String metrics = Files.readString(run.resolve("metrics.csv"));
        String log = Files.readString(run.resolve("run.log"));
        Files.delete(run.resolve("summary.md"));
        Files.delete(run.resolve("accuracy.png"));

        assertThat(FedistillCommand.execute("report", run.toString())).isZero();

        // the same tables, but for each algorithm's wall time: its rounds' alone now
        assertThat(accuracyRows(Files.readString(run.resolve("summary.md"))))
                .isNotEmpty()
                .isEqualTo(written);
        assertThat(run.resolve("accuracy.png")).isNotEmptyFile();
        assertThat(Files.readString(run.resolve("metrics.csv"))).isEqualTo(metrics);
        assertThat(Files.readString(run.resolve("run.log"))).isEqualTo(log);

        // a run stopped before its last round says so
        sql(run, "DELETE FROM fedistill_rounds WHERE algorithm = 'fd' AND round = 2");
        assertThat(FedistillCommand.execute("report", run.toString())).isZero();
        assertThat(Files.readString(run.resolve("summary.md")))
                .contains("**Interrupted during round 2 of fd.**");
        // and one that recorded no round keeps what it has
        sql(run, "DELETE FROM fedistill_rounds");
        String interrupted = Files.readString(run.resolve("summary.md"));
        assertThat(CliRuns.runCapturingErr(2, "report", run.toString()))
                .contains("holds no finished round to report; nothing was changed");
        assertThat(Files.readString(run.resolve("summary.md"))).isEqualTo(interrupted);

        Path renamed = dir.resolve("renamed");
        copy(run, renamed);
        Files.writeString(renamed.resolve("summary.md"), "kept");
        assertThat(CliRuns.runCapturingErr(2, "report", renamed.toString()))
                .contains("error: cannot report " + renamed + ": its run store holds no run");
        assertThat(Files.readString(renamed.resolve("summary.md"))).isEqualTo("kept");
    }

    private static void sql(Path run, String statement) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + run.resolve("run.db"));
                Statement sql = db.createStatement()) {
            sql.executeUpdate(statement);
        }
    }

    /** Returns the summary's rows of the algorithms, the main table's without its wall time. */
    private static List<String> accuracyRows(String summary) {
        return summary.lines()
                .filter(line -> line.startsWith("| local-only |") || line.startsWith("| fd |"))
                .map(line -> line.replaceAll("\\| [0-9.]+ \\|$", "| |"))
                .toList();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    private static void assertRefusedUnchanged(Path run, String message) throws IOException {
        String metrics = Files.readString(run.resolve("metrics.csv"));
        String traffic = Files.readString(run.resolve("traffic.csv"));
        assertThat(CliRuns.runCapturingErr(2, "run", "--resume", run.toString()))
                .contains("error: " + message)
                .doesNotContain("\tat ");
        assertThat(Files.readString(run.resolve("metrics.csv"))).isEqualTo(metrics);
        assertThat(Files.readString(run.resolve("traffic.csv"))).isEqualTo(traffic);
    }

    @Test
    void aRunWhoseParticipantsLiveInWorkerProcessesResumesFromTheirCheckpointedState()
            throws Exception {
        // FD's participants keep private models: the checkpoints fetch them from the workers and
        // the resumed run's new workers get them back
        String workers =
                EXPERIMENT
                                .substring(0, EXPERIMENT.indexOf("algorithms:"))
                                .replace("workers: 0\nrounds: 8", "workers: 2\nrounds: 6")
                        + "algorithms:\n  - name: fd\n";
        killResumeAndCompare(workers, "fd,3,", 6);
    }

    @ParameterizedTest
    @CsvSource({
        "dsfl, 'subsetSize: 100, trustStepSize: 5'",
        "fedmd, 'subsetSize: 100, transferEpochs: 0, trustStepSize: 0.5'"
    })
    void aRunResumesWithTheTrustItHadLearntInEachParticipant(String name, String options)
            throws Exception {
        // trust is the coordinator's state: a resumed run that forgot it would send other targets
        // from round 4 on, and report another lowest trust
        String trusting =
                EXPERIMENT
                                .substring(0, EXPERIMENT.indexOf("algorithms:"))
                                .replace("rounds: 8", "rounds: 6\npublicData: {size: 200}")
                        + "algorithms:\n  - name: "
                        + name
                        + "\n    options: {"
                        + options
                        + "}\n    attack: {kind: inverted-logits, fraction: 0.25}\n";
        Path run = killResumeAndCompare(trusting, name + ",3,", 6);
        assertThat(CliRuns.metricsWithoutTime(run).get(6)).contains("trust_lowest=");
    }
}
