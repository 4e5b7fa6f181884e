package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the CLI tests share: running the CLI and reading its errors, finding a run directory,
 * reading its metrics, starting a CLI JVM.
 */
final class CliRuns {
    private CliRuns() {}

    /** Returns the one run directory under {@code runs}. */
    static Path onlyRun(Path runs) throws IOException {
        try (Stream<Path> dirs = Files.list(runs)) {
            return dirs.findFirst().orElseThrow();
        }
    }

    /**
     * Runs {@code fedistill <args>} in this JVM, checks its exit status and returns what it wrote
     * to standard error.
     */
    static String runCapturingErr(int expectedStatus, String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(FedistillCommand.execute(args)).isEqualTo(expectedStatus);
        } finally {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    /**
     * Runs {@code fedistill <args>} in this JVM, checks that it succeeds and returns what it wrote
     * to standard output.
     */
    static String runCapturingOut(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(FedistillCommand.execute(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Returns a run's {@code metrics.csv} lines without the wall-clock column. */
    static List<String> metricsWithoutTime(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        int wall = List.of(lines.get(0).split(",")).indexOf("wall_seconds");
        List<String> rows = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            cells.remove(wall);
            rows.add(String.join(",", cells));
        }
        return rows;
    }

    /**
     * Returns a process running {@code fedistill <args>} in a JVM of its own (offline, one intra-op
     * thread), its output going to {@code log}.
     */
    static ProcessBuilder fedistillJvm(Path log, String... args) {
        return FedistillJvm.command(List.of(args)).redirectOutput(log.toFile());
    }

    /**
     * Starts {@code fedistill <args>} in a JVM whose class path is this one's without any DJL or
     * PyTorch jar: a coordinator that must run without model code.
     */
    static ProcessBuilder fedistillJvmWithoutDjl(Path log, String... args) {
        String classPath =
                java.util.Arrays.stream(
                                System.getProperty("java.class.path")
                                        .split(java.io.File.pathSeparator))
                        .filter(entry -> !entry.contains("/ai/djl/"))
                        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        List<String> command =
                new java.util.ArrayList<>(FedistillJvm.command(List.of(args)).command());
        command.set(command.indexOf("-cp") + 1, classPath);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    }
}
