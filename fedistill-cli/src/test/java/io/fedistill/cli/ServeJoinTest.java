package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real deployment on loopback: {@code fedistill serve} in this JVM, each participant a {@code
 * fedistill join} JVM holding only its own data (written by {@code fedistill partition}).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ServeJoinTest {
    @TempDir Path dir;
    private final List<Process> processes = new ArrayList<>();
    private static final List<String> PARTICIPANTS = List.of("p00", "p01", "p02");

    private static final String EXPERIMENT =
            """
            name: served
            seed: 4
            dataset: {name: fashion-mnist-sample, trainLimit: 900, testLimit: 300}
            participants: 3
            partition: {kind: dirichlet, alpha: 0.5}
            models: [mlp:32, lenet]
            threads: 1
            workers: 0
            rounds: 3
            algorithms:
              - name: fd
              - name: fedavg
                models: mlp:32
            """;

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    /** Writes the experiment and each participant's data under parts/; returns the experiment. */
    private Path partitioned() throws IOException {
        Path yaml = Files.writeString(dir.resolve("served.yaml"), EXPERIMENT);
        assertThat(
                        FedistillCommand.execute(
                                "partition",
                                yaml.toString(),
                                "--out",
                                dir.resolve("parts").toString()))
                .isZero();
        return yaml;
    }

    /** Runs the experiment as a simulation and returns its metrics without wall time. */
    private List<String> simulate(Path yaml) throws IOException {
        assertThat(
                        FedistillCommand.execute(
                                "run", yaml.toString(), "--set", "outputDir=" + dir.resolve("sim")))
                .isZero();
        return CliRuns.metricsWithoutTime(CliRuns.onlyRun(dir.resolve("sim")));
    }

    /** Waits (up to two minutes) until the one run under {@code out} has a metrics row so. */
    private static void awaitRow(Path out, java.util.function.Predicate<List<String>> ready)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && !hasRow(out, ready)) {
            Thread.sleep(10);
        }
    }

    private static boolean hasRow(Path out, java.util.function.Predicate<List<String>> ready)
            throws IOException {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (java.util.stream.Stream<Path> runs = Files.list(out)) {
            // the output directory exists a moment before the run's own directory does
            Optional<Path> metrics =
                    runs.findFirst().map(run -> run.resolve("metrics.csv")).filter(Files::exists);
            return metrics.isPresent() && ready.test(Files.readAllLines(metrics.get()));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private Process join(int port, String id, Path data, String... security) throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "join",
                                "--coordinator",
                                "localhost:" + port,
                                "--participant-id",
                                id,
                                "--data",
                                data.toString()));
        for (String option : security) {
            args.add(option.replace("{id}", id));
        }
        Process process =
                CliRuns.fedistillJvm(
                                dir.resolve("join-" + id + "-" + port + ".log"),
                                args.toArray(String[]::new))
                        .start();
        processes.add(process);
        return process;
    }

    /** Starts one participant JVM per id, each with its own data from parts/. */
    private List<Process> joinAll(int port, List<String> ids, String... options)
            throws IOException {
        List<Process> joined = new ArrayList<>();
        for (String id : ids) {
            joined.add(join(port, id, dir.resolve("parts").resolve(id), options));
        }
        return joined;
    }

    /**
     * Serves one algorithm to the participants, which join with {@code joinSecurity}; expects serve
     * to exit with {@code exitCode} (1 when every participant fails every round) and returns its
     * run.
     */
    private Path serve(
            Path yaml,
            String algorithm,
            Path out,
            List<String> ids,
            List<String> serveSecurity,
            int exitCode,
            String... joinSecurity)
            throws Exception {
        int port = freePort();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "serve",
                                yaml.toString(),
                                "--listen",
                                (serveSecurity.isEmpty() ? "127.0.0.1:" : "0.0.0.0:") + port,
                                "--algorithm",
                                algorithm,
                                "--join-timeout",
                                "120",
                                "--set",
                                "outputDir=" + out));
        args.addAll(serveSecurity);
        CompletableFuture<Integer> served =
                CompletableFuture.supplyAsync(
                        () -> FedistillCommand.execute(args.toArray(String[]::new)));
        List<Process> joined = joinAll(port, ids, joinSecurity);
        assertThat(served.get(4, TimeUnit.MINUTES)).isEqualTo(exitCode);
        for (Process process : joined) {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return CliRuns.onlyRun(out);
    }

    /**
     * Serves one algorithm over mutual TLS on every interface to participants that authenticate
     * with certificates from {@code fedistill certs}; returns its run.
     */
    private Path serveOverMutualTls(Path yaml, String algorithm, Path out, String... joinOptions)
            throws Exception {
        return serveOverMutualTls(
                yaml, algorithm, out, certificates(yaml), List.of(), 0, joinOptions);
    }

    /** Creates the federation's authority and certificates under certs/, once; returns it. */
    private Path certificates(Path yaml) {
        Path certs = dir.resolve("certs");
        if (!Files.exists(certs.resolve("ca.pem"))) {
            assertThat(
                            FedistillCommand.execute(
                                    "certs",
                                    "--out",
                                    certs.toString(),
                                    "--experiment",
                                    yaml.toString()))
                    .isZero();
        }
        return certs;
    }

    /**
     * Serves over mutual TLS as above, with more serve options, to participants whose certificates
     * and keys ({@code <id>.pem}, {@code <id>-key.pem}) lie in {@code participantCerts}, expecting
     * serve's {@code exitCode}.
     */
    private Path serveOverMutualTls(
            Path yaml,
            String algorithm,
            Path out,
            Path participantCerts,
            List<String> serveOptions,
            int exitCode,
            String... joinOptions)
            throws Exception {
        Path certs = certificates(yaml);
        List<String> join =
                new ArrayList<>(
                        List.of(
                                "--ca",
                                certs.resolve("ca.pem").toString(),
                                "--cert",
                                participantCerts.resolve("{id}.pem").toString(),
                                "--key",
                                participantCerts.resolve("{id}-key.pem").toString()));
        join.addAll(List.of(joinOptions));
        List<String> serving =
                new ArrayList<>(
                        List.of(
                                "--tls-cert",
                                certs.resolve("coordinator.pem").toString(),
                                "--tls-key",
                                certs.resolve("coordinator-key.pem").toString(),
                                "--client-ca",
                                certs.resolve("ca.pem").toString()));
        serving.addAll(serveOptions);
        return serve(
                yaml, algorithm, out, PARTICIPANTS, serving, exitCode, join.toArray(String[]::new));
    }

    /** Starts {@code fedistill serve} of FD in a JVM of its own, writing its run under out. */
    private Process serveFdInItsOwnJvm(String log, Path yaml, int port, int rounds, Path out)
            throws IOException {
        Process coordinator =
                CliRuns.fedistillJvm(
                                dir.resolve(log),
                                "serve",
                                yaml.toString(),
                                "--listen",
                                "127.0.0.1:" + port,
                                "--algorithm",
                                "fd",
                                "--set",
                                "rounds=" + rounds,
                                "--set",
                                "outputDir=" + out)
                        .start();
        processes.add(coordinator);
        return coordinator;
    }

    /** Serves one algorithm from a JVM without DJL to the participants; returns its run. */
    private Path serveWithoutDjl(Path yaml, String algorithm, Path out) throws Exception {
        int port = freePort();
        Process coordinator =
                CliRuns.fedistillJvmWithoutDjl(
                                dir.resolve("coordinator-" + algorithm + ".log"),
                                "serve",
                                yaml.toString(),
                                "--listen",
                                "127.0.0.1:" + port,
                                "--algorithm",
                                algorithm,
                                "--join-timeout",
                                "120",
                                "--set",
                                "outputDir=" + out)
                        .start();
        processes.add(coordinator);
        List<Process> joined = joinAll(port, PARTICIPANTS);
        assertThat(coordinator.waitFor(4, TimeUnit.MINUTES)).isTrue();
        assertThat(coordinator.exitValue())
                .as(Files.readString(dir.resolve("coordinator-" + algorithm + ".log")))
                .isZero();
        for (Process process : joined) {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return CliRuns.onlyRun(out);
    }

    @Test
    void aCoordinatorWithoutDjlOnItsClassPathServesFdAndFedAvg() throws Exception {
        Path yaml = partitioned();
        List<String> simulated = simulate(yaml);

        Path fd = serveWithoutDjl(yaml, "fd", dir.resolve("djl-free-fd"));
        assertThat(CliRuns.metricsWithoutTime(fd).subList(1, 4)).isEqualTo(simulated.subList(1, 4));
        assertThat(Files.readString(fd.resolve("config.yaml")))
                .contains("none (the coordinator only aggregates)");
        assertThat(fd.resolve("partition.csv")).doesNotExist();

        // without DJL, an algorithm that trains on the coordinator is refused by name
        Path feddf =
                Files.writeString(
                        dir.resolve("feddf.yaml"),
                        EXPERIMENT.replace("  - name: fd\n", "  - name: feddf\n")
                                + "publicData: {size: 100}\n");
        Process refused =
                CliRuns.fedistillJvmWithoutDjl(
                                dir.resolve("coordinator-feddf.log"),
                                "serve",
                                feddf.toString(),
                                "--algorithm",
                                "feddf",
                                "--set",
                                "outputDir=" + dir.resolve("refused-feddf"))
                        .start();
        processes.add(refused);
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isNotZero();
        assertThat(Files.readString(dir.resolve("coordinator-feddf.log")))
                .contains("feddf trains on the coordinator, which needs model code");

        // FedAvg: the first global model comes from a participant (one more model up, one more
        // header down in round 1) and the participants' test scores of it are the global score;
        // the rest, global score included, equals the simulation's
        Path fedavg = serveWithoutDjl(yaml, "fedavg", dir.resolve("djl-free-fedavg"));
        List<String> header = List.of(simulated.get(0).split(","));
        List<String> served = CliRuns.metricsWithoutTime(fedavg);
        for (int round = 1; round <= 3; round++) {
            List<String> got = List.of(served.get(round).split(","));
            List<String> want = List.of(simulated.get(3 + round).split(","));
            for (int column = 0; column < header.size(); column++) {
                String name = header.get(column);
                if (round == 1 && name.equals("bytes_up")) {
                    long modelDown = Long.parseLong(want.get(header.indexOf("bytes_down"))) / 3;
                    assertThat(Long.parseLong(got.get(column)) - Long.parseLong(want.get(column)))
                            .as("the initial model's reply")
                            .isBetween(modelDown - 256, modelDown + 256);
                } else if (round == 1 && name.equals("bytes_down")) {
                    assertThat(Long.parseLong(got.get(column)) - Long.parseLong(want.get(column)))
                            .as("the initial model's request")
                            .isBetween(1L, 256L);
                } else {
                    assertThat(got.get(column))
                            .as(name + " in round " + round)
                            .isEqualTo(want.get(column));
                }
            }
        }
    }

    @Test
    void servedFdAndFedAvgRunsEqualTheSimulationAndStrangersAreRefused() throws Exception {
        Path yaml = partitioned();
        List<String> simulated = simulate(yaml);
        List<String> ids = PARTICIPANTS;

        // FD over mutual TLS on every interface, with certificates from `fedistill certs`
        Path fd = serveOverMutualTls(yaml, "fd", dir.resolve("served-fd"));
        assertThat(CliRuns.metricsWithoutTime(fd).subList(1, 4)).isEqualTo(simulated.subList(1, 4));

        Path fedavg = serve(yaml, "fedavg", dir.resolve("served-fedavg"), ids, List.of(), 0);
        assertThat(CliRuns.metricsWithoutTime(fedavg).subList(1, 4))
                .isEqualTo(simulated.subList(4, 7));
        assertThat(Files.readString(fedavg.resolve("summary.md"))).contains("| fedavg |");

        // a participant id that is not part of the federation is refused and says so
        int port = freePort();
        CompletableFuture<Integer> served =
                CompletableFuture.supplyAsync(
                        () ->
                                FedistillCommand.execute(
                                        "serve",
                                        yaml.toString(),
                                        "--listen",
                                        "127.0.0.1:" + port,
                                        "--algorithm",
                                        "fd",
                                        "--join-timeout",
                                        "10",
                                        "--set",
                                        "outputDir=" + dir.resolve("refused")));
        Process stranger = join(port, "p99", dir.resolve("parts").resolve("p00"));
        assertThat(stranger.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stranger.exitValue()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("join-p99-" + port + ".log")))
                .contains(
                        "p99 could not take part: participant 'p99' is not part of this federation");
        assertThat(served.get(2, TimeUnit.MINUTES)).isEqualTo(1); // nobody joined in time
    }

    @Test
    void signedSecureSumsOverMutualTlsGiveTheSimulationsModels() throws Exception {
        partitioned();
        Path yaml =
                Files.writeString(
                        dir.resolve("signed.yaml"),
                        EXPERIMENT.substring(0, EXPERIMENT.indexOf("algorithms:"))
                                + "algorithms:\n  - name: fd\n"
                                + "    options: {secure: true, secureSigned: true}\n"
                                + "  - name: fedavg\n    models: mlp:32\n"
                                + "    options: {secure: true, secureSigned: true}\n");
        List<String> simulated = simulate(yaml);
        // each participant makes its key itself and has the authority certify it, so the
        // authority's holder never has it; it signs with the certificate it authenticates with,
        // and would refuse an unsigned secure sum
        Path certs = certificates(yaml);
        Path own = dir.resolve("own-keys");
        for (String id : PARTICIPANTS) {
            assertThat(
                            FedistillCommand.execute(
                                    "certs",
                                    "request",
                                    "--participant-id",
                                    id,
                                    "--out",
                                    own.toString()))
                    .isZero();
            assertThat(
                            FedistillCommand.execute(
                                    "certs",
                                    "sign",
                                    "--replace",
                                    "--authority",
                                    certs.toString(),
                                    own.resolve(id + ".csr").toString()))
                    .isZero();
            Files.copy(certs.resolve(id + ".pem"), own.resolve(id + ".pem"));
        }
        // each sum holds all three participants, the fewest each accepts
        Path fd =
                serveOverMutualTls(
                        yaml,
                        "fd",
                        dir.resolve("served-signed"),
                        own,
                        List.of(),
                        0,
                        "--signed-secure-sums-only",
                        "--min-secure-sum",
                        "3");
        // FedAvg from a coordinator without model code: its first model comes from a
        // participant, whose seeded initial weights hold nothing it learned, so they go out
        Path fedavg =
                serveOverMutualTls(
                        yaml,
                        "fedavg",
                        dir.resolve("served-signed-fedavg"),
                        own,
                        List.of("--coordinator-only"),
                        0,
                        "--signed-secure-sums-only");

        // the same models as the simulation's signed runs; only the bytes differ, since ECDSA
        // signatures vary in length
        List<String> header = List.of(simulated.get(0).split(","));
        List<String> served = new ArrayList<>(CliRuns.metricsWithoutTime(fd).subList(1, 4));
        served.addAll(CliRuns.metricsWithoutTime(fedavg).subList(1, 4));
        for (int row = 0; row < 6; row++) {
            List<String> got = List.of(served.get(row).split(","));
            List<String> want = List.of(simulated.get(1 + row).split(","));
            for (String column :
                    List.of("algorithm", "participants_failed", "test_acc_mean", "global_acc")) {
                int index = header.indexOf(column);
                assertThat(got.get(index)).as(column + " in row " + row).isEqualTo(want.get(index));
            }
        }
        // no round aborted: every participant signed
        assertThat(served).noneMatch(row -> row.contains("secure_aborted"));
        assertThat(simulated).noneMatch(row -> row.contains("secure_aborted"));

        // participants that take part only in sums of at least four inputs refuse these sums of
        // three: every round's sum is aborted and the run ends, saying that it learned nothing
        Path refused =
                serveOverMutualTls(
                        yaml,
                        "fd",
                        dir.resolve("served-signed-too-few"),
                        own,
                        List.of("--set", "rounds=2"),
                        1,
                        "--min-secure-sum",
                        "4");
        List<String> rows = CliRuns.metricsWithoutTime(refused);
        int failed = List.of(rows.get(0).split(",")).indexOf("participants_failed");
        assertThat(rows.subList(1, rows.size()))
                .hasSize(2)
                .allSatisfy(row -> assertThat(row.split(",")[failed]).isEqualTo("3"));
        assertThat(Files.readString(refused.resolve("run.log")))
                .contains(
                        "takes part only in secure sums of at least 4 inputs, its own included,"
                                + " but only 3 participants of its neighbourhood, itself included,"
                                + " hold an input");

        // the authority revokes p02's certificate; a coordinator that still admits it (it was not
        // given the list) cannot make the others sum with it: they check the list themselves
        assertThat(
                        FedistillCommand.execute(
                                "certs", "revoke", "--authority", certs.toString(), "p02"))
                .isZero();
        Path revoked =
                serveOverMutualTls(
                        yaml,
                        "fd",
                        dir.resolve("served-signed-revoked"),
                        own,
                        List.of("--set", "rounds=1"),
                        0,
                        "--crl",
                        certs.resolve("crl.pem").toString());
        assertThat(Files.readString(revoked.resolve("run.log")))
                .contains(
                        "participant p00 rejected: participant reported an error:"
                                + " IllegalArgumentException: keys of p02 forwarded to p00 in"
                                + " round 1 carry a credential that is not p02's: the certificate"
                                + " with serial number")
                .contains("is revoked by the federation's authority")
                .contains("secure aggregation of round 1 aborted at SHARE_KEYS");
    }

    @Test
    void aParticipantKilledMidRunIsDroppedAndTheRunGoesOnWithTheOthers() throws Exception {
        Path yaml = partitioned();
        int port = freePort();
        Path out = dir.resolve("dropped");
        CompletableFuture<Integer> served =
                CompletableFuture.supplyAsync(
                        () ->
                                FedistillCommand.execute(
                                        "serve",
                                        yaml.toString(),
                                        "--listen",
                                        "127.0.0.1:" + port,
                                        "--algorithm",
                                        "fd",
                                        "--min-participants",
                                        "2",
                                        "--join-timeout",
                                        "120",
                                        "--set",
                                        "rounds=8",
                                        "--set",
                                        "outputDir=" + out));
        List<Process> joined = joinAll(port, PARTICIPANTS);
        awaitRow(out, rows -> rows.size() >= 3);
        joined.get(2).destroyForcibly(); // p02 dies (SIGKILL) after two rounds
        assertThat(served.get(4, TimeUnit.MINUTES)).isZero();
        List<String> rows = Files.readAllLines(CliRuns.onlyRun(out).resolve("metrics.csv"));
        assertThat(rows).hasSize(1 + 8);
        List<String> header = List.of(rows.get(0).split(","));
        int selected = header.indexOf("participants_selected");
        int failed = header.indexOf("participants_failed");
        // the round p02 died in counts it failed (offline); the next ones select the two left
        assertThat(
                        rows.subList(1, 9).stream()
                                .mapToInt(r -> Integer.parseInt(r.split(",")[failed]))
                                .sum())
                .isLessThanOrEqualTo(1);
        assertThat(rows.get(8).split(",")[selected]).isEqualTo("2");
        assertThat(rows.get(8).split(",")[failed]).isEqualTo("0");
    }

    @Test
    void aCoordinatorKilledWithSigkillResumesToTheSimulationsMetrics() throws Exception {
        Path yaml = partitioned();
        assertThat(
                        FedistillCommand.execute(
                                "run",
                                yaml.toString(),
                                "--set",
                                "rounds=8",
                                "--set",
                                "algorithms=[{name: fd}]",
                                "--set",
                                "outputDir=" + dir.resolve("sim")))
                .isZero();
        int port = freePort();
        Path out = dir.resolve("killed");
        Process coordinator = serveFdInItsOwnJvm("coordinator.log", yaml, port, 8, out);
        List<Process> joined = joinAll(port, PARTICIPANTS);
        awaitRow(out, rows -> rows.stream().anyMatch(l -> l.startsWith("fd,3,")));
        coordinator.destroyForcibly(); // SIGKILL mid-run; the participants keep running
        assertThat(coordinator.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path run = CliRuns.onlyRun(out);
        assertThat(run.resolve("summary.md")).doesNotExist();

        assertThat(
                        FedistillCommand.execute(
                                "serve",
                                "--resume",
                                run.toString(),
                                "--listen",
                                "127.0.0.1:" + port,
                                "--algorithm",
                                "fd"))
                .isZero();
        for (Process participant : joined) {
            assertThat(participant.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(participant.exitValue()).isZero();
        }
        assertThat(CliRuns.metricsWithoutTime(run))
                .hasSize(1 + 8)
                .isEqualTo(CliRuns.metricsWithoutTime(CliRuns.onlyRun(dir.resolve("sim"))));
    }

    @Test
    void participantsWhoseCoordinatorIsGoneForGoodGiveUpAfterTheirReconnectTimeout()
            throws Exception {
        Path yaml = partitioned();
        int port = freePort();
        Path out = dir.resolve("abandoned");
        Process coordinator = serveFdInItsOwnJvm("coordinator-gone.log", yaml, port, 50, out);
        List<Process> joined = joinAll(port, PARTICIPANTS, "--reconnect-timeout", "3");
        awaitRow(out, rows -> rows.size() >= 2);
        coordinator.destroyForcibly(); // and it never comes back
        for (Process participant : joined) {
            assertThat(participant.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(participant.exitValue()).isEqualTo(1);
        }
        assertThat(Files.readString(dir.resolve("join-p00-" + port + ".log")))
                .contains("lost the coordinator at localhost:" + port + ": no answer for 3 s");
    }
}
