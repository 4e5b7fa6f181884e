package io.fedistill.cli.report;

import ai.djl.engine.Engine;

/**
 * The versions of DJL and its engine, kept apart from {@link Provenance} so that a coordinator
 * without DJL on its class path never loads a DJL class.
 */
final class EngineVersions {
    private EngineVersions() {}

    static String djl() {
        return Engine.getDjlVersion();
    }

    static String engine() {
        Engine engine = Engine.getInstance();
        return engine.getEngineName() + " " + engine.getVersion();
    }
}
