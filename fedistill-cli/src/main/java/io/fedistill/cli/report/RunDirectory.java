package io.fedistill.cli.report;

import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.runlog.EvaluationSummary;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.runlog.TrafficLedger;
import io.fedistill.ml.partition.FederatedPartition;
import io.fedistill.ml.partition.ParticipantSplit;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A run's output directory, {@code <output>/<name>-<timestamp>/}: the resolved config with its
 * provenance, {@code partition.csv}, {@code metrics.csv} and {@code participants.csv} (each
 * participant's accuracies in every evaluated round) and {@code traffic.csv} written row by row as
 * rounds finish, {@code run.log} (the coordinator's log, {@link RunLog}) and {@code workers/} (the
 * worker processes' logs) as they are written, then {@code summary.md} and the plots.
 */
public final class RunDirectory implements AutoCloseable {
    /** The folder of the worker processes' logs, in the run directory. */
    public static final String WORKER_LOGS = "workers";

    private final Path dir;
    private final BufferedWriter metrics;
    private final BufferedWriter participants;
    private final BufferedWriter traffic;
    private final RunLog log;
    private boolean headerWritten;

    private RunDirectory(Path dir, RunLog.Backlog earlier) throws IOException {
        this.dir = dir;
        this.metrics = Files.newBufferedWriter(dir.resolve("metrics.csv"));
        this.participants = Files.newBufferedWriter(dir.resolve("participants.csv"));
        participants.write("algorithm,round,participant,test_acc,local_acc,test_predicted_classes");
        participants.newLine();
        this.traffic = Files.newBufferedWriter(dir.resolve("traffic.csv"));
        traffic.write("algorithm,round,channel,participant,direction,bytes");
        traffic.newLine();
        traffic.flush();
        // last, so a directory that could not be opened leaves no appender on the root logger
        this.log = RunLog.open(dir, earlier);
    }

    /**
     * Creates a fresh directory for a run; its {@code run.log} starts with what {@code earlier}
     * held.
     */
    public static RunDirectory create(Path outputRoot, String name, RunLog.Backlog earlier) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = outputRoot.resolve(name + "-" + stamp);
        try {
            for (int suffix = 2; Files.exists(dir); suffix++) {
                dir = outputRoot.resolve(name + "-" + stamp + "-" + suffix);
            }
            Files.createDirectories(dir);
            return new RunDirectory(dir, earlier);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir, e);
        }
    }

    /**
     * Opens an existing run directory to resume it: its CSV files start again empty and the caller
     * writes the stored rounds back into them before running the rest; what {@code earlier} held is
     * appended to its {@code run.log}.
     *
     * @throws IllegalArgumentException when the directory is not a run directory
     */
    public static RunDirectory reopen(Path dir, RunLog.Backlog earlier) {
        if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
            throw new IllegalArgumentException(
                    dir + " is not a run directory (it has no config.yaml)");
        }
        try {
            return new RunDirectory(dir, earlier);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen run directory " + dir, e);
        }
    }

    /** Returns the directory. */
    public Path path() {
        return dir;
    }

    /** Writes a text file into the directory. */
    public void write(String fileName, String content) {
        try {
            Files.writeString(dir.resolve(fileName), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(fileName), e);
        }
    }

    /**
     * Writes {@code partition.csv}: each participant's sample counts and label histogram, and a
     * {@code public} row for the held-out public data when there is some.
     */
    public void writePartition(
            FederatedPartition partition, int[] labels, java.util.Optional<int[]> publicIndices) {
        int[][] histogram = partition.labelHistogram(labels);
        StringBuilder csv = new StringBuilder("participant,train_samples,local_test_samples");
        for (int c = 0; c < partition.numClasses(); c++) {
            csv.append(",label_").append(c);
        }
        csv.append('\n');
        List<ParticipantSplit> splits = partition.splits();
        for (int p = 0; p < splits.size(); p++) {
            csv.append(splits.get(p).participantId())
                    .append(',')
                    .append(splits.get(p).trainIndices().length)
                    .append(',')
                    .append(splits.get(p).localTestIndices().length);
            for (int count : histogram[p]) {
                csv.append(',').append(count);
            }
            csv.append('\n');
        }
        publicIndices.ifPresent(
                indices -> {
                    int[] counts = new int[partition.numClasses()];
                    for (int i : indices) {
                        counts[labels[i]]++;
                    }
                    csv.append("public,").append(indices.length).append(",0");
                    for (int count : counts) {
                        csv.append(',').append(count);
                    }
                    csv.append('\n');
                });
        write("partition.csv", csv.toString());
    }

    /**
     * Appends one round of one algorithm to {@code traffic.csv}: one row per channel, participant
     * and direction, each the exact encoded size.
     */
    private synchronized void appendTraffic(String algorithmLabel, RoundReport report) {
        Map<String, Long> rows = new TreeMap<>();
        for (TrafficLedger.Entry e : report.traffic()) {
            String key =
                    String.join(
                            ",",
                            e.channel().name().toLowerCase(Locale.ROOT),
                            e.transfer().participantId(),
                            e.transfer().direction().name().toLowerCase(Locale.ROOT));
            rows.merge(key, e.transfer().bytes(), Long::sum);
        }
        try {
            for (Map.Entry<String, Long> row : rows.entrySet()) {
                traffic.write(
                        algorithmLabel
                                + ","
                                + report.round()
                                + ","
                                + row.getKey()
                                + ","
                                + row.getValue());
                traffic.newLine();
            }
            traffic.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to traffic.csv", e);
        }
    }

    /**
     * Returns a listener that appends each finished round of one algorithm to {@code metrics.csv}
     * and {@code traffic.csv} and, when the round was evaluated, each participant's accuracies to
     * {@code participants.csv}.
     */
    public RoundListener metricsWriter(String algorithmLabel) {
        return new RoundListener() {
            @Override
            public void roundFinished(RoundReport report) {
                appendRow(algorithmLabel, report.toRow());
                appendTraffic(algorithmLabel, report);
                report.evaluation()
                        .ifPresent(e -> appendParticipants(algorithmLabel, report.round(), e));
            }
        };
    }

    private synchronized void appendParticipants(
            String algorithm, int round, EvaluationSummary evaluation) {
        try {
            // a participant without a common test set (or with no local split) has a row too
            SortedSet<String> ids = new TreeSet<>(evaluation.participantTestAccuracy().keySet());
            ids.addAll(evaluation.participantLocalAccuracy().keySet());
            for (String id : ids) {
                Double test = evaluation.participantTestAccuracy().get(id);
                Double local = evaluation.participantLocalAccuracy().get(id);
                Integer classes = evaluation.participantPredictedClasses().get(id);
                participants.write(
                        algorithm
                                + ","
                                + round
                                + ","
                                + id
                                + ","
                                + (test == null ? "" : format(test))
                                + ","
                                + (local == null ? "" : format(local))
                                + ","
                                + (classes == null ? "" : classes));
                participants.newLine();
            }
            participants.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to participants.csv", e);
        }
    }

    private synchronized void appendRow(String algorithm, Map<String, Object> row) {
        try {
            if (!headerWritten) {
                metrics.write("algorithm," + String.join(",", row.keySet()));
                metrics.newLine();
                headerWritten = true;
            }
            StringBuilder line = new StringBuilder(algorithm);
            for (Object value : row.values()) {
                line.append(',')
                        .append(value instanceof Double d ? format(d) : String.valueOf(value));
            }
            metrics.write(line.toString());
            metrics.newLine();
            metrics.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to metrics.csv", e);
        }
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.6g", value);
    }

    @Override
    public void close() {
        try {
            metrics.close();
            participants.close();
            traffic.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the run's CSV files", e);
        } finally {
            log.close();
        }
    }
}
