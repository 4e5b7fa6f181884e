package io.fedistill.cli.bench;

import io.fedistill.cli.FedistillJvm;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.grpc.coordinator.GrpcFleet;
import io.fedistill.grpc.participant.ParticipantAgent;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Many participants on one coordinator: participant agents in a few JVMs (each hosting a slice,
 * answering one task at a time), the coordinator here, and rounds in which every participant gets a
 * payload and sends one of the same size back, as FedAvg's weights or FD's per-label logits do.
 * Reports round latency and the coordinator's throughput (bytes both ways per second), after three
 * warm-up rounds per payload.
 */
final class FleetBenchmark {
    static final MessageType ECHO = MessageType.of("bench", "echo");
    private static final long SEED = 1;

    private final int participants;
    private final int jvms;
    private final Path work;

    FleetBenchmark(int participants, int jvms, Path work) {
        this.participants = participants;
        this.jvms = jvms;
        this.work = work;
    }

    static List<String> ids(int participants) {
        return IntStream.range(0, participants).mapToObj(i -> String.format("p%04d", i)).toList();
    }

    /** A learner that sends back what it was sent. */
    static Learner echo() {
        return Learner.builder()
                .on(
                        ECHO,
                        (request, context) ->
                                request.reply()
                                        .optTensors(request.tensors())
                                        .optMetrics(Metrics.of("examples", 1))
                                        .build())
                .build();
    }

    void run(int rounds, PrintStream out) throws Exception {
        List<String> ids = ids(participants);
        try (GrpcFleet fleet =
                GrpcFleet.builder().setParticipantIds(ids).optRunSeed(SEED).build()) {
            List<Process> agents = new ArrayList<>();
            for (int j = 0; j < jvms; j++) {
                List<String> slice = new ArrayList<>();
                for (int i = j; i < ids.size(); i += jvms) {
                    slice.add(ids.get(i));
                }
                agents.add(
                        FedistillJvm.command(
                                        List.of(
                                                "bench",
                                                "fleet-agents",
                                                "--coordinator",
                                                "127.0.0.1:" + fleet.port(),
                                                "--participants",
                                                String.join(",", slice)))
                                .redirectOutput(
                                        Files.createTempFile(work, "agents-", ".log").toFile())
                                .start());
            }
            if (!fleet.awaitOnline(participants, Duration.ofMinutes(3))) {
                throw new IllegalStateException(
                        fleet.online().size() + " of " + participants + " participants connected");
            }
            out.printf(
                    Locale.ROOT,
                    "%d participants in %d agent JVMs, one coordinator, loopback; %d rounds each%n%n",
                    participants,
                    jvms,
                    rounds);
            out.println(
                    "| payload | values | round latency median s | max s | MB per round (both ways)"
                            + " | coordinator MB/s |");
            out.println("|---|---|---|---|---|---|");
            // FD: a 10 x 10 logit table and 10 counts; FedAvg: the zoo's MLP (200-200) and LeNet-5
            Map<String, Integer> payloads = new LinkedHashMap<>();
            payloads.put("FD per-label logits", 110);
            payloads.put("FedAvg LeNet-5", 61_706);
            payloads.put("FedAvg MLP 200-200", 199_210);
            for (Map.Entry<String, Integer> payload : payloads.entrySet()) {
                List<Double> latencies = new ArrayList<>();
                long bytes = 0;
                double seconds = 0;
                int warmUp = 3;
                for (int round = 0; round < warmUp + rounds; round++) {
                    List<Message> tasks = new ArrayList<>();
                    for (String id : ids) {
                        tasks.add(
                                Message.builder(round + 1, ECHO, id)
                                        .optTensors(
                                                TensorRecord.of(
                                                        "w", Tensor.zeros(payload.getValue())))
                                        .build());
                    }
                    long start = System.nanoTime();
                    ExchangeResult result = fleet.deliver(tasks, Duration.ofMinutes(5));
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    if (result.replies().size() != participants) {
                        throw new IllegalStateException(
                                "round lost participants: " + result.failures());
                    }
                    fleet.settle(tasks.stream().map(Message::id).toList(), List.of());
                    if (round < warmUp) {
                        continue; // the JIT warms up both ends
                    }
                    latencies.add(elapsed);
                    seconds += elapsed;
                    bytes += result.transfers().stream().mapToLong(Transfer::bytes).sum();
                }
                latencies.sort(null);
                out.printf(
                        Locale.ROOT,
                        "| %s | %d | %.3f | %.3f | %.2f | %.1f |%n",
                        payload.getKey(),
                        payload.getValue(),
                        latencies.get(latencies.size() / 2),
                        latencies.get(latencies.size() - 1),
                        bytes / 1e6 / rounds,
                        bytes / 1e6 / seconds);
            }
            fleet.close();
            for (Process agent : agents) {
                if (!agent.waitFor(30, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                }
            }
        }
    }

    /** Hosts echo participants and answers the coordinator until it ends the run. */
    static void hostAgents(String coordinator, List<String> ids) throws InterruptedException {
        Map<String, Learner> learners = new LinkedHashMap<>();
        ids.forEach(id -> learners.put(id, echo()));
        try (ParticipantAgent agent =
                ParticipantAgent.builder()
                        .setHost(
                                new ParticipantHost(
                                        learners,
                                        new StateStore(Codec.fp32()),
                                        SEED,
                                        FailureInjection.none()))
                        .setCoordinator(coordinator)
                        .optRunSeed(SEED)
                        .build()
                        .start()) {
            agent.awaitFinished(Duration.ofHours(1));
        }
    }
}
