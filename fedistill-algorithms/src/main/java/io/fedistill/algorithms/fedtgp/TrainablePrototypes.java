package io.fedistill.algorithms.fedtgp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.NormalInitializer;
import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.algorithms.fedproto.PrototypeAggregator;
import io.fedistill.algorithms.fedproto.PrototypeUpload;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustRule;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.train.BlockTrainer;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedTGP's coordinator-side aggregation: a small network maps each class (one-hot, through a
 * learned embedding, a hidden ReLU layer and a linear output) to its global prototype. It persists
 * across rounds; each round it is trained for a number of epochs, with plain SGD in mini-batches,
 * on every (participant prototype, class) pair the round uploaded, minimizing the adaptive-margin
 * contrastive loss ({@link Losses#marginContrastive}). The margin is the largest over classes of
 * the distance from a class's mean participant prototype to the nearest other class's, capped.
 *
 * <p>Under a robust rule ({@code median}, {@code trimmed-mean}) each class's centre is its holders'
 * rows combined by that rule instead of their mean, and every upload's prototype of the class is
 * replaced by the centre before training: the network sees as many pairs per class as without the
 * rule, but a few bad uploads can neither pull a class nor widen the margin.
 */
final class TrainablePrototypes implements PrototypeAggregator {
    /**
     * The coordinator's training settings.
     *
     * @param epochs passes over the round's prototypes
     * @param learningRate SGD's step size
     * @param batchSize prototypes per step
     * @param hiddenWidth the hidden layer's width; 0 for the feature width
     * @param marginCap the largest margin
     */
    record Settings(
            int epochs, float learningRate, int batchSize, int hiddenWidth, float marginCap) {}

    private static final String WEIGHTS = "weights";
    private static final Logger LOG = LoggerFactory.getLogger(TrainablePrototypes.class);

    private final Settings settings;
    private final RobustAggregation robust;
    private final int classes;
    private final int width;
    private final long seed;
    private TensorRecord weights;

    TrainablePrototypes(
            Settings settings, RobustAggregation robust, int classes, int width, long seed) {
        this.settings = settings;
        this.robust = robust;
        this.classes = classes;
        this.width = width;
        this.seed = seed;
    }

    @Override
    public Result aggregate(
            int round,
            List<PrototypeUpload> received,
            List<ParticipantWeighting.Contribution> contributions) {
        // presence is not needed: the counts say which classes an upload holds
        List<PerLabelMeans> uploads = received.stream().map(PrototypeUpload::prototypes).toList();
        boolean robustCentres = robust.rule() != RobustRule.MEAN;
        PerLabelMeans centres =
                PerLabelMeans.combine(
                        PerLabelMeans.FEATURES,
                        uploads,
                        contributions,
                        ParticipantWeighting.UNIFORM,
                        robust,
                        classes,
                        width);
        List<float[]> prototypes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (PerLabelMeans upload : uploads) {
            for (int c = 0; c < classes; c++) {
                if (upload.counts()[c] > 0) {
                    prototypes.add(robustCentres ? centres.means()[c] : upload.means()[c]);
                    labels.add(c);
                }
            }
        }
        int[] counts = centres.counts();
        float margin = Math.min(largestClassGap(centres), settings.marginCap());
        TrainingSettings sgd =
                new TrainingSettings(
                        OptimizerKind.SGD,
                        settings.learningRate(),
                        0f,
                        settings.batchSize(),
                        1,
                        0f);
        try (BlockTrainer trainer =
                BlockTrainer.create(
                        "fedtgp's trainable prototypes",
                        network(),
                        new Shape(classes, classes),
                        sgd,
                        seed)) {
            if (weights != null) {
                trainer.loadWeights(weights);
            }
            Random random = new Random(Seeds.derive(seed, round, "", "fedtgp-batches"));
            double lastEpochLoss = 0;
            for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                int[] order = Seeds.permutation(prototypes.size(), random);
                double lossSum = 0;
                int steps = 0;
                for (int start = 0; start < order.length; start += settings.batchSize()) {
                    int end = Math.min(order.length, start + settings.batchSize());
                    int size = end - start;
                    float[] batch = new float[size * width];
                    long[] batchLabels = new long[size];
                    for (int i = start; i < end; i++) {
                        System.arraycopy(
                                prototypes.get(order[i]), 0, batch, (i - start) * width, width);
                        batchLabels[i - start] = labels.get(order[i]);
                    }
                    lossSum +=
                            trainer.step(
                                    step -> {
                                        NDManager manager = step.manager();
                                        NDArray global = step.forward(manager.eye(classes));
                                        return Losses.marginContrastive(
                                                manager.create(batch, new Shape(size, width)),
                                                manager.create(batchLabels),
                                                global,
                                                margin);
                                    },
                                    Seeds.derive(seed, round, "", "fedtgp-step"));
                    steps++;
                }
                lastEpochLoss = steps == 0 ? 0 : lossSum / steps;
            }
            float[] generated = trainer.infer(manager -> manager.eye(classes));
            if (!Double.isFinite(lastEpochLoss) || !allFinite(generated)) {
                // keep the network of the last good round; the strategy keeps its prototypes
                LOG.warn(
                        "round {}: FedTGP's prototype network diverged (loss {}); this round's"
                                + " prototypes are not used",
                        round,
                        lastEpochLoss);
                return new Result(
                        new PerLabelMeans(
                                PerLabelMeans.FEATURES,
                                new float[classes][width],
                                new int[classes]),
                        Metrics.of("server_diverged", 1));
            }
            weights = trainer.weights();
            float[][] means = new float[classes][width];
            for (int c = 0; c < classes; c++) {
                System.arraycopy(generated, c * width, means[c], 0, width);
            }
            return new Result(
                    new PerLabelMeans(PerLabelMeans.FEATURES, means, counts),
                    Metrics.of("server_loss", lastEpochLoss, "margin", margin));
        }
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns the largest, over the classes some upload holds, of the Euclidean distance from the
     * class's centre to the nearest other class's; 0 with fewer than two classes.
     */
    private float largestClassGap(PerLabelMeans means) {
        double largest = 0;
        for (int c = 0; c < classes; c++) {
            double nearest = Double.POSITIVE_INFINITY;
            for (int other = 0; other < classes; other++) {
                if (other == c || means.counts()[c] == 0 || means.counts()[other] == 0) {
                    continue;
                }
                double squares = 0;
                for (int k = 0; k < width; k++) {
                    double d = means.means()[c][k] - means.means()[other][k];
                    squares += d * d;
                }
                nearest = Math.min(nearest, Math.sqrt(squares));
            }
            if (Double.isFinite(nearest)) {
                largest = Math.max(largest, nearest);
            }
        }
        return (float) largest;
    }

    private Block network() {
        int hidden = settings.hiddenWidth() == 0 ? width : settings.hiddenWidth();
        // a linear map of a one-hot class without bias: the class's embedding, drawn from N(0, 1)
        // as an embedding table is (HtFLlib's nn.Embedding), so classes start apart
        Linear embedding = Linear.builder().setUnits(width).optBias(false).build();
        embedding.setInitializer(new NormalInitializer(1f), Parameter.Type.WEIGHT);
        return new SequentialBlock()
                .add(embedding)
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(width).build());
    }

    @Override
    public TensorRecord snapshot() {
        return weights == null
                ? TensorRecord.empty()
                : TensorRecord.builder().putSection(WEIGHTS, weights).build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        TensorRecord stored = snapshot.section(WEIGHTS);
        weights = stored.isEmpty() ? null : stored;
    }
}
