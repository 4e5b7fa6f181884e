package io.fedistill.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggedWarningsTest {
    @TempDir Path run;

    @Test
    void warningsThatDifferOnlyInTheirNumbersAreOneKindCountedAcrossTheLogs() throws IOException {
        Files.writeString(
                run.resolve(RunLog.FILE),
                """
                2026-11-25 04:10:01 INFO  i.f.c.Coordinator - round 1 done
                2026-11-25 04:10:02 WARN  i.f.a.f.PrototypeStrategy - round 3: fedproto prototypes \
                of p07 rejected: tensor 'features' has shape [9, 128], expected [10, 128]
                2026-11-25 04:10:03 ERROR i.f.c.ExperimentRunner - fd stopped
                java.lang.IllegalStateException: boom
                \tat io.fedistill.Some.where(Some.java:1)
                2026-11-25 04:10:04 WARN  i.f.a.f.PrototypeStrategy - round 4: fedproto prototypes \
                of p11 rejected: tensor 'features' has shape [9, 128], expected [10, 128]
                """);
        Files.createDirectories(run.resolve(RunDirectory.WORKER_LOGS));
        Files.writeString(
                run.resolve("workers/worker-0.log"),
                "04:10:02 WARN  i.f.m.t.ModelSession - p06: lenet: its features are the same"
                        + " for every input | a lower learning rate usually avoids this\n"
                        + "04:10:05 WARN  i.f.m.t.ModelSession - p08: lenet: its features are the"
                        + " same for every input | a lower learning rate usually avoids this\n");
        Files.writeString(
                run.resolve("workers/worker-1.log"),
                "04:10:03 WARN  i.f.m.t.ModelSession - p01: lenet: its features are the same"
                        + " for every input | a lower learning rate usually avoids this\n"
                        + "not a log line WARN at all\n");

        LoggedWarnings warnings = LoggedWarnings.read(run);

        assertThat(warnings.kinds())
                .extracting(LoggedWarnings.Kind::level, LoggedWarnings.Kind::count)
                .containsExactly(tuple("WARN", 2), tuple("ERROR", 1), tuple("WARN", 3));
        LoggedWarnings.Kind rejected = warnings.kinds().get(0);
        assertThat(rejected.firstMessage()).startsWith("round 3: fedproto prototypes of p07");
        assertThat(rejected.logs()).containsExactly("run.log");
        assertThat(warnings.kinds().get(2).logs())
                .containsExactly("workers/worker-0.log", "workers/worker-1.log");
        String markdown = warnings.markdown();
        assertThat(markdown)
                .startsWith("## Warnings logged\n\n6 message(s) at WARN or ERROR")
                .contains("3 kind(s)")
                .contains(
                        "| WARN | 2 | round 3: fedproto prototypes of p07 rejected: tensor"
                                + " 'features' has shape [9, 128], expected [10, 128] |"
                                + " i.f.a.f.PrototypeStrategy | run.log |")
                .contains("| ERROR | 1 | fd stopped | i.f.c.ExperimentRunner | run.log |")
                // a pipe in a message would end its cell
                .contains("for every input \\| a lower learning rate");
    }

    @Test
    void aRunWithoutWarningsOrLogsHasNoSection() throws IOException {
        assertThat(LoggedWarnings.read(run).isEmpty()).isTrue();
        Files.writeString(run.resolve(RunLog.FILE), "2026-11-25 04:10:01 INFO  x.Y - fine\n");
        assertThat(LoggedWarnings.read(run).markdown()).isEmpty();
    }

    @Test
    void theRunLogTakesWhatTheProcessLogsWhileItIsOpenAndNothingAfter() throws IOException {
        org.slf4j.Logger logger = LoggerFactory.getLogger("io.fedistill.cli.report.Probe");
        try (RunLog log = RunLog.open(run, RunLog.Backlog.start())) {
            logger.warn("round {}: something the user should see", 7);
        }
        logger.warn("after the run");
        List<String> lines = Files.readAllLines(run.resolve(RunLog.FILE));
        assertThat(lines)
                .singleElement()
                .asString()
                .matches(
                        "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} WARN  \\S+\\.Probe - round"
                                + " 7: something the user should see");
        assertThat(LoggedWarnings.read(run).kinds()).hasSize(1);
    }

    @Test
    void whatWasLoggedBeforeTheRunDirectoryExistedComesFirstOnce() throws IOException {
        org.slf4j.Logger logger = LoggerFactory.getLogger("io.fedistill.cli.report.Probe");
        try (RunLog.Backlog earlier = RunLog.Backlog.start()) {
            logger.warn("preparing: {} splits are small", 2);
            try (RunLog log = RunLog.open(run, earlier)) {
                logger.warn("round 1: later");
            }
        }
        try (RunLog.Backlog dropped = RunLog.Backlog.start()) {
            logger.warn("held, then dropped: no run directory was opened");
        }
        try (RunLog log = RunLog.open(run, RunLog.Backlog.start())) {
            logger.warn("a resumed run appends");
        }
        assertThat(Files.readAllLines(run.resolve(RunLog.FILE)))
                .extracting(line -> line.substring(line.indexOf(" - ") + 3))
                .containsExactly(
                        "preparing: 2 splits are small", "round 1: later", "a resumed run appends");
    }

    @Test
    void nothingAnotherThreadLogsWhileTheRunLogOpensIsLostOrWrittenTwice() throws Exception {
        org.slf4j.Logger logger = LoggerFactory.getLogger("io.fedistill.cli.report.Probe");
        int ticks = 20_000;
        // the ticks go to run.log, not to the console
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger)
                        LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.Appender<ch.qos.logback.classic.spi.ILoggingEvent> console =
                root.getAppender("STDERR");
        root.detachAppender(console);
        try (RunLog.Backlog earlier = RunLog.Backlog.start()) {
            Thread ticking =
                    new Thread(
                            () -> {
                                for (int i = 0; i < ticks; i++) {
                                    logger.warn("tick {}", i);
                                }
                            });
            ticking.start();
            Thread.sleep(5); // open the run log while the other thread is logging
            try (RunLog log = RunLog.open(run, earlier)) {
                ticking.join();
            }
        } finally {
            if (console != null) {
                root.addAppender(console);
            }
        }
        List<String> lines = Files.readAllLines(run.resolve(RunLog.FILE));
        assertThat(lines)
                .extracting(line -> Integer.parseInt(line.substring(line.indexOf("tick ") + 5)))
                .containsExactlyElementsOf(IntStream.range(0, ticks).boxed().toList());
    }
}
