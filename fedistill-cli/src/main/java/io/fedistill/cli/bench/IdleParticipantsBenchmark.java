package io.fedistill.cli.bench;

import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.TrainingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What idle virtual participants cost in memory: a simulation of many participants runs one round
 * (after which each holds whatever state its algorithm keeps, FD's private model for instance), and
 * the process's heap and resident memory are read while they sit idle between rounds.
 */
public final class IdleParticipantsBenchmark {
    private final DatasetSplits data;
    private final ModelSpec model;
    private final int participants;
    private final String algorithm;
    private final TrainingSettings training;

    /**
     * Creates the benchmark.
     *
     * @param data the dataset whose training set is split IID among the participants
     * @param model every participant's architecture
     * @param participants how many virtual participants
     * @param algorithm the algorithm of the round (fd keeps a private model per participant)
     * @param training local training settings
     */
    public IdleParticipantsBenchmark(
            DatasetSplits data,
            ModelSpec model,
            int participants,
            String algorithm,
            TrainingSettings training) {
        this.data = data;
        this.model = model;
        this.participants = participants;
        this.algorithm = algorithm;
        this.training = training;
    }

    /** Runs the round and prints the memory figures. */
    public void run(PrintStream out) {
        long[] measured = new long[4];
        long start = System.nanoTime();
        OverheadBenchmark.oneIidRound(data, model, participants, algorithm)
                .optTraining(training)
                .addListener(
                        new RoundListener() {
                            @Override
                            public void roundFinished(RoundReport report) {
                                // every participant is idle now, holding its state
                                System.gc();
                                Runtime runtime = Runtime.getRuntime();
                                measured[0] = runtime.totalMemory() - runtime.freeMemory();
                                measured[1] = procStatus("VmRSS");
                                measured[2] = procStatus("VmHWM");
                                measured[3] = runtime.totalMemory();
                            }
                        })
                .build()
                .run();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "%d idle participants (%s, %s, %d samples each) after one round of %.1f s:%n",
                participants,
                algorithm,
                model,
                data.train().size() / participants,
                seconds);
        out.printf(
                Locale.ROOT,
                "heap in use %.2f GiB (committed %.2f GiB), resident %.2f GiB, peak resident"
                        + " %.2f GiB, %.1f KiB resident per participant%n",
                measured[0] / GIB,
                measured[3] / GIB,
                measured[1] / GIB,
                measured[2] / GIB,
                measured[1] / 1024.0 / participants);
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** Reads a memory line of /proc/self/status in bytes (0 where there is none). */
    private static long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    String kib = line.substring(field.length() + 1).trim().split("\\s+")[0];
                    return Long.parseLong(kib) * 1024;
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
