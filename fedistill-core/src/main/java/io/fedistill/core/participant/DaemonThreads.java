package io.fedistill.core.participant;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for runtimes' background work, so a finished run's JVM can exit. */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Returns a factory of daemon threads called {@code name}. */
    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
