package io.fedistill.cli.bench;

import io.fedistill.algorithms.AlgorithmRegistry;
import io.fedistill.core.aggregate.CoordinateWise;
import io.fedistill.core.coordinator.RunResult;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.partition.FederatedPartition;
import io.fedistill.ml.partition.Partitioner;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainingSettings;
import io.fedistill.simulation.Simulation;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Simulation overhead: one round of each given algorithm (one local epoch) over the training set
 * split IID among participants, against one centralized epoch over the same samples with the same
 * model and batch size, measured alternately in one process. With many participants holding few
 * samples each it measures the fixed cost of a virtual participant.
 */
public final class OverheadBenchmark {
    private final DatasetSplits data;
    private final ModelSpec model;
    private final int participants;
    private final TrainingSettings training;
    private final List<String> algorithms;

    /**
     * Creates the benchmark.
     *
     * @param data the dataset whose training set is split among the participants
     * @param model the architecture for both sides
     * @param participants number of IID participants
     * @param training settings for both sides (one epoch)
     * @param algorithms the algorithms whose first round is timed (fedavg, fd, ...)
     */
    public OverheadBenchmark(
            DatasetSplits data,
            ModelSpec model,
            int participants,
            TrainingSettings training,
            List<String> algorithms) {
        this.data = data;
        this.model = model;
        this.participants = participants;
        this.training = training.withEpochs(1);
        this.algorithms = List.copyOf(algorithms);
    }

    /** Times one centralized epoch; returns seconds. */
    double centralizedEpoch() {
        ImageDataset train = data.train();
        try (ModelSession session =
                ModelSession.open(
                        model,
                        train.imageShape(),
                        train.numClasses(),
                        training,
                        Optional.empty(),
                        1)) {
            long start = System.nanoTime();
            session.train(train, train.allIndices(), LocalObjective.crossEntropy(), 2);
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * Times one round of an algorithm (training, encoding, aggregation; no evaluation); returns
     * seconds.
     */
    double federatedRound(String algorithm) {
        RunResult result =
                oneIidRound(data, model, participants, algorithm)
                        .optTraining(training)
                        .build()
                        .run();
        return result.rounds().get(0).wallSeconds();
    }

    /**
     * Runs warm-up and {@code repeats} alternating measurements, printing a table and the median
     * ratio of each algorithm's round to the centralized epoch.
     */
    public void run(int repeats, PrintStream out) {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        int samples = data.train().size();
        out.printf(
                Locale.ROOT,
                "simulation overhead: %s, %d IID participants, %d training samples (%d each),"
                        + " batch %d%n",
                model,
                participants,
                samples,
                samples / participants,
                training.batchSize());
        ImageDataset warm = data.train().head(Math.min(Math.max(2000, 2 * participants), samples));
        OverheadBenchmark warmUp =
                new OverheadBenchmark(
                        new DatasetSplits(warm, data.test()),
                        model,
                        participants,
                        training,
                        algorithms);
        algorithms.forEach(warmUp::federatedRound);
        double[][] ratios = new double[algorithms.size()][repeats];
        StringBuilder header = new StringBuilder("| repeat | centralized epoch s |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (String algorithm : algorithms) {
            header.append(' ').append(algorithm).append(" round s | ratio |");
            rule.append("---|---|");
        }
        out.println(header);
        out.println(rule);
        for (int r = 0; r < repeats; r++) {
            double central = centralizedEpoch();
            StringBuilder row =
                    new StringBuilder(String.format(Locale.ROOT, "| %d | %.2f |", r + 1, central));
            for (int a = 0; a < algorithms.size(); a++) {
                double federated = federatedRound(algorithms.get(a));
                ratios[a][r] = federated / central;
                row.append(String.format(Locale.ROOT, " %.2f | %.3f |", federated, ratios[a][r]));
            }
            out.println(row);
        }
        for (int a = 0; a < algorithms.size(); a++) {
            double median = CoordinateWise.median(ratios[a]);
            out.printf(
                    Locale.ROOT,
                    "median ratio %s round / centralized epoch: %.3f%n",
                    algorithms.get(a),
                    median);
        }
    }

    /**
     * Returns a simulation of one round of an algorithm among {@code participants} IID participants
     * of one architecture, with no evaluation: what the participant benchmarks time.
     */
    static Simulation.Builder oneIidRound(
            DatasetSplits data, ModelSpec model, int participants, String algorithm) {
        List<String> ids =
                IntStream.range(0, participants).mapToObj(i -> String.format("p%05d", i)).toList();
        FederatedPartition partition =
                FederatedPartition.create(
                        Partitioner.iid(),
                        data.train().labels(),
                        data.train().numClasses(),
                        ids,
                        0,
                        3);
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        ids.forEach(id -> models.put(id, model));
        return Simulation.builder()
                .setData(data)
                .setPartition(partition)
                .setModels(models)
                .setAlgorithm(AlgorithmRegistry.create(algorithm, Map.of()))
                .setRounds(1)
                .setSeed(4)
                .optEvaluateEvery(0);
    }
}
