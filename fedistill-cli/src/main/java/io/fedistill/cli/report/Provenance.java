package io.fedistill.cli.report;

import java.time.Instant;

/**
 * Where a run's numbers came from: seed, software versions and machine, saved beside its results.
 *
 * @param seed the run seed
 * @param fedistillVersion fedistill's version
 * @param djlVersion DJL's version
 * @param engine the deep-learning engine and its version
 * @param java the Java runtime
 * @param os the operating system
 * @param cores available processors
 * @param startedAt when the run started
 * @param command the command line that started it
 */
public record Provenance(
        long seed,
        String fedistillVersion,
        String djlVersion,
        String engine,
        String java,
        String os,
        int cores,
        String startedAt,
        String command) {

    /** Collects provenance for a run started now, with the engine that trains it. */
    public static Provenance collect(long seed, String command) {
        return collect(seed, command, EngineVersions.djl(), EngineVersions.engine());
    }

    /**
     * Collects provenance for a coordinator that runs no model code (it only aggregates), so
     * neither DJL nor an engine is loaded.
     */
    public static Provenance collectWithoutEngine(long seed, String command) {
        return collect(seed, command, "not loaded", WITHOUT_ENGINE);
    }

    /** The engine a coordinator that only aggregates records: none. */
    public static final String WITHOUT_ENGINE = "none (the coordinator only aggregates)";

    private static Provenance collect(long seed, String command, String djl, String engine) {
        String version = Provenance.class.getPackage().getImplementationVersion();
        return new Provenance(
                seed,
                version == null ? "development build" : version,
                djl,
                engine,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                Instant.now().toString(),
                command);
    }
}
