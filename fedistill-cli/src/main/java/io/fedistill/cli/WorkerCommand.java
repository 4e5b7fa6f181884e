package io.fedistill.cli;

import io.fedistill.cli.config.AlgorithmConfig;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.grpc.participant.ParticipantAgent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedistill worker}: a worker process of a parallel simulation. Loads its experiment and
 * data once, then hosts one {@link WorkerAssignment} after another, read as lines from its standard
 * input: builds that algorithm's federation, hosts the named participants and answers the
 * coordinator until it ends the run. Exits when its input ends. Started by {@code fedistill run}
 * ({@link JvmWorkers}) when the experiment has {@code workers}.
 */
@Command(
        name = "worker",
        hidden = true,
        mixinStandardHelpOptions = true,
        description =
                "Host slices of a simulation's participants, one assignment per line of standard"
                        + " input (started by fedistill run).")
final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Option(names = "--experiment", required = true, description = "the run's experiment file")
    private Path experiment;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = ExperimentLoader.load(experiment, List.of());
        ExperimentData data = ExperimentData.prepare(config);
        BufferedReader assignments =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = assignments.readLine(); line != null; line = assignments.readLine()) {
            host(config, data, WorkerAssignment.fromJson(line));
        }
        return 0;
    }

    private static void host(
            ExperimentConfig config, ExperimentData data, WorkerAssignment assignment)
            throws InterruptedException {
        AlgorithmConfig chosen =
                config.algorithms().stream()
                        .filter(a -> a.label().equals(assignment.algorithm()))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                "the experiment has no algorithm labelled '"
                                                        + assignment.algorithm()
                                                        + "'"));
        LOG.info("hosting {} for {}", assignment.participants(), chosen.label());
        ParticipantHost host =
                ExperimentRunner.simulation(config, chosen, data)
                        .build()
                        .hostParticipants(
                                assignment.participants(),
                                Optional.ofNullable(assignment.signingAuthority()).map(Path::of));
        try (ParticipantAgent agent =
                ParticipantAgent.builder()
                        .setHost(host)
                        .setCoordinator(assignment.coordinator())
                        .optRunSeed(config.seed())
                        .optCodec(Codec.forName(config.codecFor(chosen)))
                        // a worker whose coordinator died leaves instead of waiting as an orphan
                        .optReconnectTimeout(Duration.ofSeconds(15))
                        .build()
                        .start()) {
            agent.awaitFinished(Duration.ofDays(3650));
        }
    }
}
