package io.fedistill.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code fedistill <args>} in a JVM of its own on this installation's class path, offline
 * and with one intra-op thread (the engine's fastest setting for small models, and the one at which
 * results are bit-exact): worker processes, benchmark processes and the tests' child JVMs.
 */
public final class FedistillJvm {
    private FedistillJvm() {}

    /** Returns the process builder, its error stream merged into its output. */
    public static ProcessBuilder command(List<String> args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-Dai.djl.pytorch.num_threads=1",
                                "-Dai.djl.pytorch.num_interop_threads=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                FedistillCommand.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder;
    }
}
