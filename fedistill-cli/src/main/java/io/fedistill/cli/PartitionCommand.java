package io.fedistill.cli;

import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.ml.data.ParticipantData;
import io.fedistill.ml.partition.ParticipantSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fedistill partition <experiment.yaml> --out DIR}: writes each participant's data (its
 * training split, local test split and the test set) to {@code DIR/<participant>/}, the seeded
 * partition the experiment would make, for participants that run as their own processes.
 */
@Command(
        name = "partition",
        mixinStandardHelpOptions = true,
        description =
                "Write each participant's share of an experiment's data to DIR/<participant>/, for"
                        + " `fedistill join --data`.")
final class PartitionCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "the experiment YAML file")
    private Path experiment;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write")
    private Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a field")
    private List<String> overrides = new ArrayList<>();

    @Option(
            names = "--without-test-set",
            description =
                    "leave the common test set out: participants then report scores on their"
                            + " local split only")
    private boolean withoutTestSet;

    @Override
    public Integer call() throws Exception {
        ExperimentConfig config = ExperimentLoader.load(experiment, overrides);
        OutputDirectories.require(out, "--out");
        ExperimentData prepared = ExperimentData.prepare(config);
        for (ParticipantSplit split : prepared.partition().splits()) {
            String id = split.participantId();
            new ParticipantData(
                            prepared.data().train().select(id + " train", split.trainIndices()),
                            prepared.data()
                                    .train()
                                    .select(id + " local-test", split.localTestIndices()),
                            withoutTestSet ? Optional.empty() : prepared.data().commonTestSet())
                    .write(out.resolve(id));
        }
        System.out.println(
                "fedistill: "
                        + prepared.partition().splits().size()
                        + " participants' data written to "
                        + out);
        return 0;
    }
}
