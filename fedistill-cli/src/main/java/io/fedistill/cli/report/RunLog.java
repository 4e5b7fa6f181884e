package io.fedistill.cli.report;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's log of one run, {@code run.log} in its directory: while it is open, everything
 * the process logs to the console is also appended there (a resumed run appends to it), so the
 * warnings of a run stay with its records, beside the workers' logs, and {@link LoggedWarnings} can
 * list them in the summary. What was logged before the directory existed (preparing the data) is
 * held by a {@link Backlog} and written first.
 */
public final class RunLog implements AutoCloseable {
    /** The log's file name in the run directory. */
    public static final String FILE = "run.log";

    /** The console's pattern, with the date. */
    private static final String PATTERN =
            "%d{yyyy-MM-dd HH:mm:ss} %-5level %logger{24} - %replace(%X{participant}: ){'^: $',"
                    + " ''}%msg%n";

    private final Backlog forwarding;
    private final FileAppender<ILoggingEvent> appender;

    private RunLog(Backlog forwarding, FileAppender<ILoggingEvent> appender) {
        this.forwarding = forwarding;
        this.appender = appender;
    }

    /**
     * Starts appending the process's log to {@code run.log} in {@code runDirectory}, after what
     * {@code earlier} held: from then on {@code earlier} forwards every event to the file, so that
     * nothing logged in between, by any thread, is lost or written twice. Where SLF4J is not bound
     * to Logback (a library user's own logging), nothing is written and the user's logging alone
     * has the messages.
     */
    public static RunLog open(Path runDirectory, Backlog earlier) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context) || earlier.events == null) {
            earlier.close();
            return new RunLog(earlier, null);
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
        earlier.forwardTo(appender);
        return new RunLog(earlier, appender);
    }

    /** Stops appending and closes the file. */
    @Override
    public void close() {
        forwarding.close();
        if (appender != null) {
            appender.stop();
        }
    }

    /**
     * What the process logs from {@link #start()} until its run directory exists, held in memory so
     * that {@link RunLog#open} writes it at the head of {@code run.log}, after which it forwards
     * everything to that file: a warning about the data (a split smaller than a batch, a checksum
     * not verified) then reaches the run's records and its summary, not only the console, and no
     * event from any thread falls between the two. Closing it drops what it still holds.
     */
    public static final class Backlog implements AutoCloseable {
        private final Logger root;
        private final HeldEvents events;

        private Backlog(Logger root, HeldEvents events) {
            this.root = root;
            this.events = events;
        }

        /**
         * Starts holding what the process logs; holds nothing where SLF4J is not bound to Logback.
         */
        public static Backlog start() {
            if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
                return new Backlog(null, null);
            }
            HeldEvents events = new HeldEvents();
            events.setContext(context);
            events.setName("run-log-backlog");
            events.start();
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.addAppender(events);
            return new Backlog(root, events);
        }

        /**
         * Writes what was held to {@code target} and forwards every later event to it, in the order
         * they were logged: one lock orders both.
         */
        void forwardTo(Appender<ILoggingEvent> target) {
            if (!events.isStarted()) {
                throw new IllegalStateException(
                        "the run log's backlog was closed before the run log opened");
            }
            synchronized (events.lock) {
                events.held.forEach(target::doAppend);
                events.held.clear();
                events.target = target;
            }
        }

        /** Stops holding or forwarding; drops what it still holds. */
        @Override
        public void close() {
            if (events == null || !events.isStarted()) {
                return;
            }
            root.detachAppender(events);
            synchronized (events.lock) {
                events.stop();
                events.held.clear();
            }
        }
    }

    /**
     * Keeps each event with its message and context fixed at the moment it was logged, until it has
     * a target, then passes events on to it.
     */
    private static final class HeldEvents extends UnsynchronizedAppenderBase<ILoggingEvent> {
        /**
         * Guards the held events and the target only: a forwarded event is written outside it,
         * under the target's own lock, so logging never waits on two locks held in turn.
         */
        private final Object lock = new Object();

        private final List<ILoggingEvent> held = new ArrayList<>();
        private Appender<ILoggingEvent> target;

        @Override
        protected void append(ILoggingEvent event) {
            Appender<ILoggingEvent> to;
            synchronized (lock) {
                if (!isStarted()) {
                    return;
                }
                if (target == null) {
                    event.prepareForDeferredProcessing();
                    held.add(event);
                    return;
                }
                to = target;
            }
            to.doAppend(event);
        }
    }
}
