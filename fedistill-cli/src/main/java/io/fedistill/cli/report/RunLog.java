package io.fedistill.cli.report;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's log of one run, {@code run.log} in its directory: while it is open, everything
 * the process logs to the console is also appended there (a resumed run appends to it), so the
 * warnings of a run stay with its records, beside the workers' logs, and {@link LoggedWarnings} can
 * list them in the summary.
 */
public final class RunLog implements AutoCloseable {
    /** The log's file name in the run directory. */
    public static final String FILE = "run.log";

    /** The console's pattern, with the date. */
    private static final String PATTERN =
            "%d{yyyy-MM-dd HH:mm:ss} %-5level %logger{24} - %replace(%X{participant}: ){'^: $',"
                    + " ''}%msg%n";

    private final Logger root;
    private final FileAppender<ILoggingEvent> appender;

    private RunLog(Logger root, FileAppender<ILoggingEvent> appender) {
        this.root = root;
        this.appender = appender;
    }

    /**
     * Starts appending the process's log to {@code run.log} in {@code runDirectory}; where SLF4J is
     * not bound to Logback (a library user's own logging), nothing is written and the user's
     * logging alone has the messages.
     */
    public static RunLog open(Path runDirectory) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return new RunLog(null, null);
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("run-log-" + runDirectory.getFileName());
        appender.setFile(runDirectory.resolve(FILE).toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        return new RunLog(root, appender);
    }

    /** Stops appending and closes the file. */
    @Override
    public void close() {
        if (appender != null) {
            root.detachAppender(appender);
            appender.stop();
        }
    }
}
