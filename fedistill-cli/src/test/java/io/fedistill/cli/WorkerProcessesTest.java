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
        Path yaml = Files.writeString(dir.resolve("workers.yaml"), EXPERIMENT);
        Path out = dir.resolve("runs-" + workers);
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
}
