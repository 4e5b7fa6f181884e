package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The parallel simulation: worker JVMs on loopback give the in-process run's metrics exactly. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WorkerProcessesTest {
    @TempDir Path dir;

    private static final String EXPERIMENT =
            """
            name: workers
            seed: 5
            dataset: {name: fashion-mnist-sample, trainLimit: 900, testLimit: 300}
            participants: 5
            partition: {kind: dirichlet, alpha: 0.5}
            models: [mlp:32, lenet]
            threads: 1
            rounds: 2
            failures: {crashes: {p03: [2]}}
            algorithms:
              - name: fd
              - name: fedavg
                models: mlp:32
            """;

    private Path run(int workers) throws IOException {
        return run(EXPERIMENT, "workers", workers);
    }

    /** Runs the experiment with the workers and returns its run directory. */
    private Path run(String experiment, String name, int workers) throws IOException {
        Path yaml = Files.writeString(dir.resolve(name + ".yaml"), experiment);
        Path out = dir.resolve(name + "-runs-" + workers);
        int status =
                FedistillCommand.execute(
                        "run",
                        yaml.toString(),
                        "--set",
                        "outputDir=" + out,
                        "--set",
                        "workers=" + workers);
        assertThat(status).isZero();
        return CliRuns.onlyRun(out);
    }

    @Test
    void twoWorkerProcessesGiveTheInProcessMetricsBitForBit() throws IOException {
        Path inProcess = run(0);
        Path parallel = run(2);
        List<String> expected = CliRuns.metricsWithoutTime(inProcess);
        assertThat(expected).hasSize(5);
        assertThat(CliRuns.metricsWithoutTime(parallel)).isEqualTo(expected);
        // the simulated crash of p03 in round 2 happened in a worker and was reported
        assertThat(expected.get(2)).startsWith("fd,2,5,1,");
        assertThat(Files.readString(parallel.resolve("participants.csv")))
                .isEqualTo(Files.readString(inProcess.resolve("participants.csv")));
        // the same two workers hosted both algorithms, one after the other
        try (Stream<Path> logs = Files.list(parallel.resolve("workers"))) {
            assertThat(logs.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("worker-0.log", "worker-1.log");
        }
        assertThat(Files.readString(parallel.resolve("workers/worker-1.log")))
                .containsSubsequence("hosting [p01, p03] for fd", "hosting [p01, p03] for fedavg");
    }

    @Test
    void workersSignSecureSumsWithTheSimulationsCertificates() throws IOException {
        String secure =
                EXPERIMENT.substring(0, EXPERIMENT.indexOf("failures:"))
                        + "algorithms:\n"
                        + "  - name: fd\n    label: fd-secure\n    options: {secure: true}\n"
                        + "  - name: fd\n    label: fd-signed\n"
                        + "    options: {secure: true, secureSigned: true}\n";
        List<String> rows = Files.readAllLines(run(secure, "signed", 2).resolve("metrics.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        int accuracy = header.indexOf("test_acc_mean");
        int up = header.indexOf("bytes_up");
        for (int round = 1; round <= 2; round++) {
            String[] unsigned = rows.get(round).split(",");
            String[] signed = rows.get(2 + round).split(",");
            assertThat(signed[0]).isEqualTo("fd-signed");
            // the same per-label sums, to fixed-point precision, so the same participants' models
            assertThat(signed[accuracy]).isEqualTo(unsigned[accuracy]);
            assertThat(Long.parseLong(signed[up])).isGreaterThan(Long.parseLong(unsigned[up]));
        }
    }
}
