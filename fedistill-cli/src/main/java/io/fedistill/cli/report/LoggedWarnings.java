package io.fedistill.cli.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The warnings and errors a run logged, in the coordinator's {@link RunLog} and the workers' logs
 * ({@code workers/*.log}), each kind once: messages that differ only in their numbers (a round, a
 * participant, a value) are one kind, listed with its first message, how often it came and where,
 * so that the summary shows what went wrong in a run without the user reading its logs.
 *
 * @param kinds each kind of warning, in the order they first came (the coordinator's first)
 */
public record LoggedWarnings(List<Kind> kinds) {
    /** How many kinds the summary lists; the rest are counted. */
    private static final int LISTED = 20;

    /** The longest message the summary shows in full. */
    private static final int LONGEST_MESSAGE = 300;

    /** A line the console pattern wrote at level WARN or ERROR: time, level, logger, message. */
    private static final Pattern LINE =
            Pattern.compile(
                    "^(?:\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}:\\d{2} (WARN|ERROR) +(\\S+) - (.*)$");

    private static final Pattern NUMBER = Pattern.compile("\\d+(\\.\\d+)?");

    /**
     * One kind of warning.
     *
     * @param level {@code WARN} or {@code ERROR}
     * @param logger the logger that wrote it
     * @param firstMessage the first message of this kind
     * @param count how many messages of this kind were logged
     * @param logs the logs it came in, by file name
     */
    public record Kind(
            String level, String logger, String firstMessage, int count, List<String> logs) {
        /** Returns this kind with a later message of it counted: the first message stays. */
        Kind plus(Kind later) {
            List<String> all = new ArrayList<>(logs);
            later.logs.stream().filter(log -> !all.contains(log)).forEach(all::add);
            return new Kind(level, logger, firstMessage, count + later.count, List.copyOf(all));
        }
    }

    /** Copies the list. */
    public LoggedWarnings {
        kinds = List.copyOf(kinds);
    }

    /**
     * Reads the warnings of the run in {@code runDirectory}: its {@code run.log} and every log in
     * {@code workers/}; logs that are not there are skipped.
     *
     * @throws UncheckedIOException when a log cannot be read
     */
    public static LoggedWarnings read(Path runDirectory) {
        List<Path> logs = new ArrayList<>();
        logs.add(runDirectory.resolve(RunLog.FILE));
        Path workers = runDirectory.resolve(RunDirectory.WORKER_LOGS);
        if (Files.isDirectory(workers)) {
            try (Stream<Path> files = Files.list(workers)) {
                files.filter(file -> file.toString().endsWith(".log")).sorted().forEach(logs::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + workers, e);
            }
        }
        Map<String, Kind> kinds = new LinkedHashMap<>();
        for (Path log : logs) {
            if (!Files.isRegularFile(log)) {
                continue;
            }
            String name = runDirectory.relativize(log).toString();
            // a reader decoding leniently: a log cut off mid-character still reads
            try (BufferedReader reader =
                    new BufferedReader(
                            new InputStreamReader(
                                    Files.newInputStream(log), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    add(kinds, line, name);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + log, e);
            }
        }
        return new LoggedWarnings(List.copyOf(kinds.values()));
    }

    private static void add(Map<String, Kind> kinds, String line, String log) {
        Matcher matcher = LINE.matcher(line);
        if (!matcher.matches()) {
            return;
        }
        String level = matcher.group(1);
        String logger = matcher.group(2);
        String message = matcher.group(3);
        String key = level + " " + logger + " " + NUMBER.matcher(message).replaceAll("#");
        kinds.merge(key, new Kind(level, logger, message, 1, List.of(log)), Kind::plus);
    }

    /** Returns whether nothing was logged at WARN or ERROR. */
    public boolean isEmpty() {
        return kinds.isEmpty();
    }

    /**
     * Returns the summary's section: a table of the kinds (the first {@value #LISTED}, the rest
     * counted), or an empty string when there are none.
     */
    public String markdown() {
        if (kinds.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        int messages = kinds.stream().mapToInt(Kind::count).sum();
        md.append("## Warnings logged\n\n")
                .append(
                        String.format(
                                Locale.ROOT,
                                "%d message(s) at WARN or ERROR in the run's logs, %d kind(s)"
                                        + " (messages that differ only in their numbers are one"
                                        + " kind; each shown by its first message):%n%n",
                                messages,
                                kinds.size()))
                .append("| level | times | first message | logger | in |\n")
                .append("|---|---|---|---|---|\n");
        for (Kind kind : kinds.subList(0, Math.min(LISTED, kinds.size()))) {
            md.append("| ")
                    .append(kind.level())
                    .append(" | ")
                    .append(kind.count())
                    .append(" | ")
                    .append(cell(kind.firstMessage()))
                    .append(" | ")
                    .append(kind.logger())
                    .append(" | ")
                    .append(String.join(", ", kind.logs()))
                    .append(" |\n");
        }
        if (kinds.size() > LISTED) {
            md.append("\nand ")
                    .append(kinds.size() - LISTED)
                    .append(" more kind(s), in the logs.\n");
        }
        return md.append('\n').toString();
    }

    /** A message as one table cell: pipes escaped, cut at {@value #LONGEST_MESSAGE} characters. */
    private static String cell(String message) {
        String shown =
                message.length() > LONGEST_MESSAGE
                        ? message.substring(0, LONGEST_MESSAGE) + " ..."
                        : message;
        return shown.replace("|", "\\|");
    }
}
