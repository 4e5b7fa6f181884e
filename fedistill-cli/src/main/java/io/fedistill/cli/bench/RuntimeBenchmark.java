package io.fedistill.cli.bench;

import io.fedistill.cli.FedistillJvm;
import io.fedistill.core.aggregate.CoordinateWise;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The runtimes side by side on one experiment: the parallel simulation's training throughput
 * against this machine's limit (one 1-thread training process per core, run at once, summed), and a
 * round over gRPC (participants in a worker JVM on loopback) against the same round in process.
 * Each measurement is round 2 of a fresh run (round 1 warms up), and the repeats alternate.
 */
final class RuntimeBenchmark {
    private final String model;
    private final int participants;
    private final int samplesPerParticipant;
    private final int batchSize;
    private final Path dataDir;
    private final int cores;
    private final Path work;

    RuntimeBenchmark(
            String model,
            int participants,
            int samplesPerParticipant,
            int batchSize,
            Path dataDir,
            int cores,
            Path work) {
        this.model = model;
        this.participants = participants;
        this.samplesPerParticipant = samplesPerParticipant;
        this.batchSize = batchSize;
        this.dataDir = dataDir;
        this.cores = cores;
        this.work = work;
    }

    void run(int repeats, PrintStream out) throws Exception {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        int samples = participants * samplesPerParticipant;
        out.printf(
                Locale.ROOT,
                "%s, %d participants x %d samples, batch %d, %d cores; round 2 of each run%n%n",
                model,
                participants,
                samplesPerParticipant,
                batchSize,
                cores);
        out.println(
                "| repeat | limit samples/s | workers="
                        + cores
                        + " samples/s | ratio | FedAvg round in process s | over gRPC s | ratio"
                        + " | FD round in process s | over gRPC s | ratio |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        List<Double> throughputRatios = new ArrayList<>();
        List<Double> fedavgRatios = new ArrayList<>();
        List<Double> fdRatios = new ArrayList<>();
        for (int repeat = 1; repeat <= repeats; repeat++) {
            double limit = limit(samples / cores);
            double parallel = samples / round("fedavg", cores);
            double fedavgInProcess = round("fedavg", 0);
            double fedavgGrpc = round("fedavg", 1);
            double fdInProcess = round("fd", 0);
            double fdGrpc = round("fd", 1);
            throughputRatios.add(parallel / limit);
            fedavgRatios.add(fedavgGrpc / fedavgInProcess);
            fdRatios.add(fdGrpc / fdInProcess);
            out.printf(
                    Locale.ROOT,
                    "| %d | %.0f | %.0f | %.3f | %.2f | %.2f | %.3f | %.2f | %.2f | %.3f |%n",
                    repeat,
                    limit,
                    parallel,
                    parallel / limit,
                    fedavgInProcess,
                    fedavgGrpc,
                    fedavgGrpc / fedavgInProcess,
                    fdInProcess,
                    fdGrpc,
                    fdGrpc / fdInProcess);
        }
        out.printf(
                Locale.ROOT,
                "%nmedian: workers throughput / limit %.3f (target >= 0.9); FedAvg round over gRPC"
                        + " / in process %.3f, FD %.3f (target <= 1.2)%n",
                median(throughputRatios),
                median(fedavgRatios),
                median(fdRatios));
    }

    private static double median(List<Double> values) {
        return CoordinateWise.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** One 1-thread training process per core, all at once: their summed samples per second. */
    private double limit(int samplesEach) throws Exception {
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            Path output = Files.createTempFile(work, "alone-", ".txt");
            outputs.add(output);
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "bench",
                                    "train-alone",
                                    "--model",
                                    model,
                                    "--samples",
                                    String.valueOf(samplesEach),
                                    "--batch-size",
                                    String.valueOf(batchSize),
                                    "--offset",
                                    String.valueOf(i * samplesEach)));
            if (dataDir != null) {
                args.add("--data-dir");
                args.add(dataDir.toString());
            }
            processes.add(FedistillJvm.command(args).redirectOutput(output.toFile()).start());
        }
        double total = 0;
        for (int i = 0; i < cores; i++) {
            if (!processes.get(i).waitFor(30, TimeUnit.MINUTES)
                    || processes.get(i).exitValue() != 0) {
                throw new IllegalStateException(
                        "a training process failed: " + Files.readString(outputs.get(i)));
            }
            Path output = outputs.get(i);
            String result =
                    Files.readAllLines(output).stream()
                            .filter(l -> l.startsWith("samples/s "))
                            .findFirst()
                            .orElseThrow(() -> new IllegalStateException("no result in " + output));
            total += Double.parseDouble(result.substring("samples/s ".length()));
        }
        return total;
    }

    /** Runs three rounds of one algorithm with the given workers; returns round 2's seconds. */
    private double round(String algorithm, int workers) throws IOException {
        Path yaml = Files.createTempFile(work, algorithm + "-", ".yaml");
        Files.writeString(
                yaml,
                String.format(
                        Locale.ROOT,
                        """
                        name: bench-%s-%d
                        seed: 1
                        dataset: {name: %s, trainLimit: %d, testLimit: 1000%s}
                        # 0.1%% of each share is held out locally: participants train on 99.9%%
                        participants: %d
                        partition: {kind: iid, localTestFraction: 0.001}
                        models: %s
                        training: {optimizer: sgd, learningRate: 0.01, momentum: 0.9, batchSize: %d}
                        threads: 1
                        workers: %d
                        rounds: 3
                        evaluateEvery: 1000
                        outputDir: %s
                        algorithms: [{name: %s}]
                        """,
                        algorithm,
                        workers,
                        "fashion-mnist",
                        participants * samplesPerParticipant,
                        dataDir == null ? "" : ", dataDir: " + dataDir,
                        participants,
                        model,
                        batchSize,
                        workers,
                        work.resolve("runs"),
                        algorithm));
        Path log = Files.createTempFile(work, "run-", ".log");
        Process process =
                FedistillJvm.command(List.of("run", yaml.toString()))
                        .redirectOutput(log.toFile())
                        .start();
        try {
            if (!process.waitFor(60, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("the run failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        String runDir =
                Files.readAllLines(log).stream()
                        .filter(l -> l.startsWith("outputs: "))
                        .findFirst()
                        .orElseThrow()
                        .substring("outputs: ".length())
                        .strip();
        List<String> metrics = Files.readAllLines(Path.of(runDir, "metrics.csv"));
        int wall = List.of(metrics.get(0).split(",")).indexOf("wall_seconds");
        return Double.parseDouble(metrics.get(2).split(",")[wall]);
    }
}
