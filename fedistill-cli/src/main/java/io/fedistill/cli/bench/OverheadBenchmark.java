package io.fedistill.cli.bench;

import io.fedistill.algorithms.AlgorithmRegistry;
import io.fedistill.core.coordinator.RunResult;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.partition.FederatedPartition;
import io.fedistill.ml.partition.Partitioner;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainingSettings;
import io.fedistill.simulation.Simulation;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Simulation overhead: one FedAvg round of one local epoch over the whole training set split IID
 * among participants, against one centralized epoch over the same samples with the same model and
 * batch size, measured alternately in one process.
 */
public final class OverheadBenchmark {
    private final DatasetSplits data;
    private final ModelSpec model;
    private final int participants;
    private final TrainingSettings training;

    /**
     * Creates the benchmark.
     *
     * @param data the dataset (the full training set for the documented figure)
     * @param model the architecture for both sides
     * @param participants number of IID participants
     * @param training settings for both sides (one epoch)
     */
    public OverheadBenchmark(
            DatasetSplits data, ModelSpec model, int participants, TrainingSettings training) {
        this.data = data;
        this.model = model;
        this.participants = participants;
        this.training = training.withEpochs(1);
    }

    /** Times one centralized epoch; returns seconds. */
    double centralizedEpoch() {
        ImageDataset train = data.train();
        try (ModelSession session =
                ModelSession.open(
                        ModelZoo.build(model, train.imageShape(), train.numClasses()),
                        train.imageShape(),
                        training,
                        Optional.empty(),
                        1)) {
            long start = System.nanoTime();
            session.train(train, train.allIndices(), LocalObjective.crossEntropy(), 2);
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * Times one federated round (training, encoding, aggregation; no evaluation); returns seconds.
     */
    double federatedRound() {
        List<String> ids =
                IntStream.range(0, participants).mapToObj(i -> String.format("p%02d", i)).toList();
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
        RunResult result =
                Simulation.builder()
                        .setData(data)
                        .setPartition(partition)
                        .setModels(models)
                        .setAlgorithm(AlgorithmRegistry.create("fedavg", Map.of()))
                        .setRounds(1)
                        .setSeed(4)
                        .optTraining(training)
                        .optEvaluateEvery(0)
                        .build()
                        .run();
        return result.rounds().get(0).wallSeconds();
    }

    /**
     * Runs warm-up and {@code repeats} alternating measurements, printing a table; returns the
     * median ratio.
     */
    public double run(int repeats, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "simulation overhead: %s, %d IID participants, %d training samples, batch %d%n",
                model,
                participants,
                data.train().size(),
                training.batchSize());
        ImageDataset warm = data.train().head(Math.min(2000, data.train().size()));
        new OverheadBenchmark(new DatasetSplits(warm, data.test()), model, participants, training)
                .federatedRound();
        double[] ratios = new double[repeats];
        int samples = data.train().size();
        out.println(
                "| repeat | centralized epoch s | samples/s | federated round s | samples/s | ratio |");
        out.println("|---|---|---|---|---|---|");
        for (int r = 0; r < repeats; r++) {
            double central = centralizedEpoch();
            double federated = federatedRound();
            ratios[r] = federated / central;
            out.printf(
                    Locale.ROOT,
                    "| %d | %.2f | %.0f | %.2f | %.0f | %.3f |%n",
                    r + 1,
                    central,
                    samples / central,
                    federated,
                    samples / federated,
                    ratios[r]);
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        double median =
                repeats % 2 == 1
                        ? sorted[repeats / 2]
                        : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
        out.printf(
                Locale.ROOT,
                "median ratio federated / centralized: %.3f (target <= 1.10)%n",
                median);
        return median;
    }
}
