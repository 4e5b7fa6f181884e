package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.DatasetConfig;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.core.federation.FederationSpec;
import io.fedistill.core.seed.Seeds;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.partition.FederatedPartition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An experiment's data as every process of a run sees it: the loaded sets with their limits, the
 * public data held out (seeded) and the partition of the rest (seeded). The coordinator and each
 * worker process derive it from the same config and get the same.
 *
 * @param data the training and test sets
 * @param publicData the held-out public data, if the experiment has any
 * @param partition each participant's private split
 * @param description a one-line description for the console and summary
 */
record ExperimentData(
        DatasetSplits data,
        Optional<PublicData> publicData,
        FederatedPartition partition,
        String description) {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentData.class);

    /** Loads, holds out and partitions the experiment's data. */
    static ExperimentData prepare(ExperimentConfig config) {
        DatasetSplits data = loadData(config.dataset());
        Optional<PublicData> publicData = holdOutPublicData(config, data);
        int[] privatePool = privatePool(data, publicData);
        FederatedPartition partition = partition(config, data, privatePool, publicData);
        String description =
                String.format(
                        Locale.ROOT,
                        "%s (%s%s)",
                        config.dataset().name(),
                        config.dataset().mergeTrainTest()
                                ? data.train().size()
                                        + " train and test images merged, each participant scored"
                                        + " on its local test split"
                                : data.train().size() + " train, " + data.test().size() + " test",
                        publicData
                                .map(
                                        p ->
                                                String.format(
                                                        Locale.ROOT,
                                                        ", of the training images %d held out as %s public data",
                                                        p.size(),
                                                        p.labeled() ? "labeled" : "unlabeled"))
                                .orElse(""));
        return new ExperimentData(data, publicData, partition, description);
    }

    /**
     * Returns a federation's public data as a participant process derives it: the same seeded share
     * of the named dataset, read from {@code dataDir} when given (else the usual places).
     */
    static Optional<PublicData> publicDataFor(FederationSpec spec, Optional<Path> dataDir) {
        if (spec.publicData().isEmpty()) {
            return Optional.empty();
        }
        FederationSpec.PublicDataRef ref = spec.publicData().get();
        DatasetConfig local =
                new DatasetConfig(
                        ref.dataset(),
                        ref.dataset().equals("fashion-mnist")
                                ? dataDir.map(Path::toString).orElse(null)
                                : null,
                        ref.download(),
                        ref.verifyChecksums(),
                        ref.trainLimit().orElse(null),
                        ref.testLimit().orElse(null),
                        ref.mergeTrainTest());
        return Optional.of(holdOut(loadData(local), spec.seed(), ref.size(), ref.labeled()));
    }

    /** Loads the experiment's data with its limits applied. */
    static DatasetSplits loadData(DatasetConfig dataset) {
        DatasetSplits full =
                dataset.name().equals("fashion-mnist-sample")
                        ? FashionMnist.sample()
                        : FashionMnist.load(
                                Optional.ofNullable(dataset.dataDir()).map(Path::of),
                                dataset.download(),
                                dataset.verifyChecksums());
        int train =
                dataset.trainLimit() == null
                        ? full.train().size()
                        : Math.min(dataset.trainLimit(), full.train().size());
        int test =
                dataset.testLimit() == null
                        ? full.test().size()
                        : Math.min(dataset.testLimit(), full.test().size());
        DatasetSplits limited = new DatasetSplits(full.train().head(train), full.test().head(test));
        return dataset.mergeTrainTest() ? limited.mergedForLocalTests() : limited;
    }

    /** Partitions the private pool, turning a split that cannot be made into a config error. */
    private static FederatedPartition partition(
            ExperimentConfig config,
            DatasetSplits data,
            int[] privatePool,
            Optional<PublicData> publicData) {
        if (config.participants() > privatePool.length) {
            throw new ConfigException(
                    "participants "
                            + config.participants()
                            + " is more than the "
                            + privatePool.length
                            + " training samples to share among them ("
                            + config.dataset().name()
                            + publicData
                                    .map(p -> ", after " + p.size() + " held out as public data")
                                    .orElse("")
                            + "); use at most "
                            + privatePool.length
                            + " participants, or more data");
        }
        try {
            return FederatedPartition.create(
                    config.partition().partitioner(),
                    data.train().labels(),
                    privatePool,
                    data.train().numClasses(),
                    config.participantIds(),
                    config.partition().localTestFraction(),
                    Seeds.derive(config.seed(), 0, "", "partition"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "partition ("
                            + config.partition().partitioner().describe()
                            + ", "
                            + config.participants()
                            + " participants, "
                            + privatePool.length
                            + " samples): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Warns, naming them, about participants whose training split is smaller than one batch. */
    void warnAboutSmallSplits(int batch) {
        List<String> small =
                partition.splits().stream()
                        .filter(s -> s.trainIndices().length < batch)
                        .map(s -> s.participantId() + " (" + s.trainIndices().length + ")")
                        .toList();
        if (small.isEmpty()) {
            return;
        }
        LOG.warn(
                "training.batchSize {} is larger than the training split of {} participant(s): {}{};"
                        + " each trains on one smaller batch per epoch",
                batch,
                small.size(),
                String.join(", ", small.subList(0, Math.min(10, small.size()))),
                small.size() > 10 ? " and " + (small.size() - 10) + " more" : "");
    }

    /** Holds a seeded random share of the training images out as public data, if configured. */
    private static Optional<PublicData> holdOutPublicData(
            ExperimentConfig config, DatasetSplits data) {
        if (config.publicData() == null) {
            return Optional.empty();
        }
        return Optional.of(
                holdOut(
                        data,
                        config.seed(),
                        config.publicData().size(),
                        config.publicData().labeled()));
    }

    /** Holds out {@code size} training images chosen by the run seed as public data. */
    private static PublicData holdOut(DatasetSplits data, long seed, int size, boolean labeled) {
        if (size >= data.train().size()) {
            throw new ConfigException(
                    "publicData.size "
                            + size
                            + " leaves no private data in a training set of "
                            + data.train().size()
                            + " images");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.train().size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Seeds.derive(seed, 0, "", "public-data")));
        int[] indices =
                order.subList(0, size).stream().mapToInt(Integer::intValue).sorted().toArray();
        return new PublicData(data.train(), indices, labeled);
    }

    private static int[] privatePool(DatasetSplits data, Optional<PublicData> publicData) {
        BitSet held = new BitSet();
        publicData.ifPresent(p -> Arrays.stream(p.indices()).forEach(held::set));
        return IntStream.range(0, data.train().size()).filter(i -> !held.get(i)).toArray();
    }
}
