package io.fedistill.cli;

import io.fedistill.cli.config.AlgorithmConfig;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.grpc.participant.ParticipantAgent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedistill worker}: a worker process of a parallel simulation. Builds the run's federation
 * from its experiment file, hosts the named participants, and answers the coordinator until it ends
 * the run. Started by {@code fedistill run} when the experiment sets {@code workers}.
 */
@Command(
        name = "worker",
        hidden = true,
        mixinStandardHelpOptions = true,
        description = "Host a slice of a simulation's participants (started by fedistill run).")
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--experiment", required = true, description = "the run's experiment file")
    private Path experiment;

    @Option(names = "--algorithm", required = true, description = "the algorithm's label")
    private String algorithm;

    @Option(names = "--coordinator", required = true, description = "host:port")
    private String coordinator;

    @Option(
            names = "--participants",
            required = true,
            split = ",",
            description = "the participant ids to host")
    private List<String> participants = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = ExperimentLoader.load(experiment, List.of());
        AlgorithmConfig chosen =
                config.algorithms().stream()
                        .filter(a -> a.label().equals(algorithm))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                "the experiment has no algorithm labelled '"
                                                        + algorithm
                                                        + "'"));
        ParticipantHost host =
                ExperimentRunner.simulation(config, chosen, ExperimentData.prepare(config))
                        .build()
                        .hostParticipants(participants);
        try (ParticipantAgent agent =
                ParticipantAgent.builder()
                        .setHost(host)
                        .setCoordinator(coordinator)
                        .optRunSeed(config.seed())
                        .optCodec(Codec.fp32())
                        // a worker whose coordinator died leaves instead of waiting as an orphan
                        .optReconnectTimeout(Duration.ofSeconds(15))
                        .build()
                        .start()) {
            agent.awaitFinished(Duration.ofDays(3650));
        }
        return 0;
    }
}
