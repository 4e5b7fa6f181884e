package io.fedistill.ml.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.LocalParameterServer;
import ai.djl.training.ParameterServer;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.eval.EvaluationScore;
import io.fedistill.ml.model.ClassifierNetwork;
import io.fedistill.ml.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model for the length of one participant call: given weights or the seeded initial weights of
 * its architecture, trained or evaluated, its weights read back, then closed.
 *
 * <p>The network itself is borrowed from a per-process pool of built networks and given back on
 * close, and the optimizer state (momentum, Adam's moments) belongs to the session and is freed
 * with it, so a call costs its training and no network construction or initialization, and the only
 * native memory that outlives it is the pooled network.
 */
public final class ModelSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSession.class);

    /** The prefix of the head's parameters in {@link #headWeights}. */
    public static final String HEAD_PREFIX = "head.";

    private final NetworkPool.Pooled pooled;
    private final ClassifierNetwork network;
    private final TrainingSettings settings;
    private final OwnedStateOptimizer optimizer;
    private final ParameterServer parameterServer;
    private boolean gradientsChecked;
    private boolean closed;

    private ModelSession(
            NetworkPool.Key key,
            TrainingSettings settings,
            Optional<TensorRecord> weights,
            long initSeed) {
        this.settings = settings;
        TensorRecord start =
                weights.orElseGet(() -> NetworkPool.shared().initialWeights(key, initSeed));
        this.pooled = NetworkPool.shared().borrow(key);
        this.network = pooled.network();
        this.optimizer = OwnedStateOptimizer.of(settings);
        this.parameterServer = new LocalParameterServer(optimizer);
        try {
            loadWeights(start);
        } catch (RuntimeException e) {
            NetworkPool.shared().giveBack(pooled);
            throw e;
        }
    }

    /**
     * Opens a session.
     *
     * @param spec the architecture to run
     * @param imageShape (channels, height, width) of one input
     * @param numClasses number of output logits
     * @param settings local training settings
     * @param weights weights to start from; empty to start from the architecture's initial weights
     *     for {@code initSeed}
     * @param initSeed the seed of the initialization (used when {@code weights} is empty)
     * @return the open session
     */
    public static ModelSession open(
            ModelSpec spec,
            Shape imageShape,
            int numClasses,
            TrainingSettings settings,
            Optional<TensorRecord> weights,
            long initSeed) {
        return new ModelSession(
                new NetworkPool.Key(spec, imageShape, numClasses), settings, weights, initSeed);
    }

    /**
     * Returns every parameter of an architecture as initialized from a seed (the same weights a
     * session opened with no weights and that seed starts from).
     */
    public static TensorRecord initialWeights(
            ModelSpec spec, Shape imageShape, int numClasses, long initSeed) {
        return NetworkPool.shared()
                .initialWeights(new NetworkPool.Key(spec, imageShape, numClasses), initSeed);
    }

    /**
     * Returns every parameter (trainable weights and normalization statistics) as named tensors.
     */
    public TensorRecord weights() {
        return NetworkPool.readWeights(network);
    }

    /**
     * Returns the classifier head's parameters keyed by position ({@code head.0}, {@code head.1},
     * ...), so that heads of one shape compare across architectures whatever their blocks are
     * called: what LG-FedAvg shares.
     */
    public TensorRecord headWeights() {
        TensorRecord.Builder out = TensorRecord.builder();
        for (Pair<String, Parameter> p : headParameters()) {
            NDArray array = p.getValue().getArray();
            out.put(
                    p.getKey(),
                    Tensor.wrap(NetworkPool.intShape(array.getShape()), array.toFloatArray()),
                    TensorRole.WEIGHTS);
        }
        return out.build();
    }

    /**
     * Replaces the head's parameters with what {@link #headWeights} returned (of this or another
     * architecture whose head has the same shapes).
     *
     * @throws IllegalArgumentException naming a missing or wrongly shaped tensor
     */
    public void loadHeadWeights(TensorRecord head) {
        NetworkPool.writeWeights(headParameters(), head, network.spec() + "'s head");
    }

    /** The head's parameters, named by position ({@code head.0}, {@code head.1}, ...). */
    private List<Pair<String, Parameter>> headParameters() {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        for (Pair<String, Parameter> p : network.head().getParameters()) {
            out.add(new Pair<>(HEAD_PREFIX + out.size(), p.getValue()));
        }
        return out;
    }

    /**
     * Replaces every parameter with the named tensors.
     *
     * @throws IllegalArgumentException naming a missing, extra or wrongly shaped tensor
     */
    public void loadWeights(TensorRecord weights) {
        NetworkPool.writeWeights(network.network(), weights, network.spec().toString());
    }

    /**
     * Trains on the given samples for the configured number of epochs.
     *
     * @param data the dataset the indices point into
     * @param indices the samples to train on
     * @param objective what to minimize
     * @param seed seed of shuffling and any randomness inside the model
     * @return loss, per-label logit and feature sums, and whether the trained model still reads its
     *     input (a warning is logged when it does not)
     */
    public TrainOutcome train(
            ImageDataset data, int[] indices, LocalObjective objective, long seed) {
        int classes = data.numClasses();
        float[][] logitSums = new float[classes][classes];
        float[][] featureSums = new float[classes][];
        int[] counts = new int[classes];
        if (indices.length == 0) {
            return new TrainOutcome(Double.NaN, 0, logitSums, featureSums, counts, false);
        }
        int[] labels = data.labels(indices);
        if (objective.teacherPerSample()
                && objective.labelTeacher().orElseThrow().length != indices.length) {
            throw new IllegalArgumentException(
                    objective.labelTeacher().orElseThrow().length
                            + " teacher rows for "
                            + indices.length
                            + " training samples");
        }
        objective
                .generatedFeatures()
                .filter(generated -> generated.length != indices.length)
                .ifPresent(
                        generated -> {
                            throw new IllegalArgumentException(
                                    generated.length
                                            + " generated features for "
                                            + indices.length
                                            + " training samples");
                        });
        // whether the latest batch of two or more samples gave every sample the same features
        boolean[] featuresConstant = {false};
        double meanLoss;
        try (NDManager manager = pooled.model().getNDManager().newSubManager()) {
            NDArray labelArray = manager.create(Arrays.stream(labels).asLongStream().toArray());
            ObjectiveArrays arrays = new ObjectiveArrays(manager, objective, classes);
            meanLoss =
                    runEpochs(
                            List.of(this),
                            manager,
                            data.images(manager, indices),
                            settings.epochs(),
                            settings.localSteps(),
                            seed,
                            (forward, positions, batch, batchManager) -> {
                                NDArray features = forward.features().get(0);
                                NDArray logits = forward.logits().get(0);
                                NDArray y =
                                        labelArray.get(batchManager, new NDIndex("{}", positions));
                                NDArray loss =
                                        arrays.loss(
                                                features,
                                                logits,
                                                y,
                                                positions,
                                                forward.heads().get(0),
                                                batchManager);
                                float[] batchLogits = logits.toFloatArray();
                                float[] batchFeatures = features.toFloatArray();
                                int width = (int) features.getShape().get(1);
                                for (int i = 0; i < batch.length; i++) {
                                    int label = labels[(int) batch[i]];
                                    counts[label]++;
                                    for (int c = 0; c < classes; c++) {
                                        logitSums[label][c] += batchLogits[i * classes + c];
                                    }
                                    if (featureSums[label] == null) {
                                        featureSums[label] = new float[width];
                                    }
                                    for (int f = 0; f < width; f++) {
                                        featureSums[label][f] += batchFeatures[i * width + f];
                                    }
                                }
                                if (batch.length > 1) {
                                    featuresConstant[0] =
                                            rowsIdentical(batchFeatures, batch.length, width);
                                }
                                return loss;
                            });
        }
        boolean inputIgnored = featuresConstant[0];
        if (inputIgnored) {
            LOG.warn(
                    "{}: at the end of training, its features are the same for every input (every ReLU dead?), so it"
                            + " predicts the same for every sample; a lower learning rate usually avoids this",
                    network.spec());
        }
        return new TrainOutcome(
                meanLoss, indices.length, logitSums, featureSums, counts, inputIgnored);
    }

    /**
     * The loss of two models trained together on one batch: FML's two mutual-learning losses,
     * FedKD's adaptive mentor-mentee distillation.
     */
    @FunctionalInterface
    public interface PairLoss {
        /**
         * Returns the summed loss of both models.
         *
         * @param logits this model's logits (n, C)
         * @param peerLogits the peer's logits (n, C)
         * @param features this model's flattened features (n, D)
         * @param peerFeatures the peer's flattened features (n, D')
         * @param labels the batch's labels (n)
         */
        NDArray loss(
                NDArray logits,
                NDArray peerLogits,
                NDArray features,
                NDArray peerFeatures,
                NDArray labels);
    }

    /**
     * Trains this model and a peer together, batch by batch on the same shuffled samples, on a loss
     * of both (FML's mutual learning, FedKD's mentor and mentee); each model takes its own
     * optimizer step. The batch size and epochs are this session's.
     *
     * @param peer the other model's session
     * @param data the dataset the indices point into
     * @param indices the samples to train on
     * @param loss the loss of both models on a batch
     * @param seed seed of shuffling and any randomness inside the models
     * @return the summed loss of both models and the samples trained on
     */
    public TrainOutcome trainWith(
            ModelSession peer, ImageDataset data, int[] indices, PairLoss loss, long seed) {
        int classes = data.numClasses();
        double meanLoss = Double.NaN;
        try (NDManager manager = pooled.model().getNDManager().newSubManager()) {
            NDArray labelArray =
                    manager.create(Arrays.stream(data.labels(indices)).asLongStream().toArray());
            meanLoss =
                    indices.length == 0
                            ? Double.NaN
                            : runEpochs(
                                    List.of(this, peer),
                                    manager,
                                    data.images(manager, indices),
                                    settings.epochs(),
                                    settings.localSteps(),
                                    seed,
                                    (forward, positions, batch, batchManager) ->
                                            loss.loss(
                                                    forward.logits().get(0),
                                                    forward.logits().get(1),
                                                    forward.features().get(0),
                                                    forward.features().get(1),
                                                    labelArray.get(
                                                            batchManager,
                                                            new NDIndex("{}", positions))));
        }
        return new TrainOutcome(
                meanLoss,
                indices.length,
                new float[classes][classes],
                new float[classes][],
                new int[classes],
                false);
    }

    /**
     * Whether every row of a row-major matrix equals the first: features that no longer depend on
     * the input.
     */
    private static boolean rowsIdentical(float[] matrix, int rows, int width) {
        for (int r = 1; r < rows; r++) {
            for (int f = 0; f < width; f++) {
                if (matrix[r * width + f] != matrix[f]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Distills soft targets into the model on unlabeled samples: minimizes {@code T^2 * KL(target ‖
     * softmax(s / T))} per sample. Labels are never read.
     *
     * @param data the dataset the indices point into
     * @param indices the samples (their labels are not used)
     * @param targets one probability vector per sample, already softened by its producer
     * @param temperature the student's temperature
     * @param epochs passes over the samples
     * @param weight factor on the loss, > 0 (a schedule may lower it as rounds progress)
     * @param seed shuffling seed
     * @return the mean loss over all steps (NaN when there are no samples)
     */
    public double distill(
            ImageDataset data,
            int[] indices,
            float[][] targets,
            float temperature,
            int epochs,
            float weight,
            long seed) {
        if (targets.length != indices.length) {
            throw new IllegalArgumentException(
                    indices.length + " samples but " + targets.length + " targets");
        }
        if (indices.length == 0) {
            return Double.NaN;
        }
        int classes = data.numClasses();
        float[] flat = new float[indices.length * classes];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i].length != classes) {
                throw new IllegalArgumentException(
                        "target " + i + " has " + targets[i].length + " classes, not " + classes);
            }
            System.arraycopy(targets[i], 0, flat, i * classes, classes);
        }
        try (NDManager manager = pooled.model().getNDManager().newSubManager()) {
            NDArray targetArray = manager.create(flat, new Shape(indices.length, classes));
            return runEpochs(
                    List.of(this),
                    manager,
                    data.images(manager, indices),
                    epochs,
                    0,
                    seed,
                    (forward, positions, batch, batchManager) ->
                            Losses.scaled(
                                    Losses.softTargetDistillation(
                                            forward.logits().get(0),
                                            targetArray.get(
                                                    batchManager, new NDIndex("{}", positions)),
                                            temperature),
                                    weight));
        }
    }

    /** Returns the model's logits for the given samples, one row per sample, in evaluation mode. */
    public float[][] predict(ImageDataset data, int[] indices) {
        return rowsInEvaluation(data, indices, this::inference);
    }

    /**
     * Returns the feature extractor's output for the given samples (flattened, one row per sample)
     * in evaluation mode: what class prototypes are averaged from, and what nearest-prototype
     * inference compares.
     */
    public float[][] features(ImageDataset data, int[] indices) {
        return rowsInEvaluation(
                data,
                indices,
                (manager, images) ->
                        network.features()
                                .forward(
                                        new ParameterStore(manager, false),
                                        new NDList(images),
                                        false)
                                .singletonOrThrow());
    }

    /** Runs {@code forward} over the samples in batches and returns one flat row per sample. */
    private float[][] rowsInEvaluation(
            ImageDataset data, int[] indices, BiFunction<NDManager, NDArray, NDArray> forward) {
        float[][] out = new float[indices.length][];
        int batchSize = Math.max(256, settings.batchSize());
        for (int start = 0; start < indices.length; start += batchSize) {
            int[] batch =
                    Arrays.copyOfRange(indices, start, Math.min(indices.length, start + batchSize));
            try (NDManager manager = pooled.model().getNDManager().newSubManager()) {
                NDArray rows = forward.apply(manager, data.images(manager, batch));
                int width = Math.toIntExact(rows.size() / batch.length);
                float[] flat = rows.toFloatArray();
                for (int i = 0; i < batch.length; i++) {
                    out[start + i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
                }
            }
        }
        return out;
    }

    /**
     * One batch's forward pass through the sessions that train together: each one's flattened
     * features and logits, in the order the sessions were given (this session first).
     */
    private record Forward(
            List<NDArray> features, List<NDArray> logits, List<UnaryOperator<NDArray>> heads) {}

    /** Computes one batch's loss from the models' features and logits; may record what it needs. */
    private interface BatchLoss {
        NDArray loss(Forward forward, NDArray positions, long[] batch, NDManager batchManager);
    }

    /**
     * Runs shuffled mini-batch epochs over {@code images}, each step through every session (this
     * one first) with one backward pass of the summed loss, then each session's own clipping and
     * optimizer step; returns the mean loss per step. The batch size is this session's.
     */
    private double runEpochs(
            List<ModelSession> sessions,
            NDManager manager,
            NDArray images,
            int epochs,
            int maxSteps,
            long seed,
            BatchLoss batchLoss) {
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        Random random = new Random(seed);
        List<ParameterStore> stores = new ArrayList<>();
        for (ModelSession session : sessions) {
            ParameterStore store = new ParameterStore(manager, false);
            store.setParameterServer(session.parameterServer, new Device[] {manager.getDevice()});
            stores.add(store);
        }
        int n = (int) images.getShape().get(0);
        double lossSum = 0;
        int steps = 0;
        // with a step budget, reshuffled passes go on until it is spent
        int passes = maxSteps > 0 ? Integer.MAX_VALUE : epochs;
        for (int epoch = 0; epoch < passes && (maxSteps == 0 || steps < maxSteps); epoch++) {
            int[] order = Seeds.permutation(n, random);
            for (int start = 0;
                    start < n && (maxSteps == 0 || steps < maxSteps);
                    start += settings.batchSize()) {
                int end = Math.min(n, start + settings.batchSize());
                if (end - start == 1 && n > 1) {
                    continue; // a single-sample batch breaks batch normalization statistics
                }
                long[] batch = new long[end - start];
                for (int i = start; i < end; i++) {
                    batch[i - start] = order[i];
                }
                try (NDManager batchManager = manager.newSubManager()) {
                    NDArray positions = batchManager.create(batch);
                    NDArray x = images.get(batchManager, new NDIndex("{}", positions));
                    try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                        List<NDArray> features = new ArrayList<>();
                        List<NDArray> logits = new ArrayList<>();
                        List<UnaryOperator<NDArray>> heads = new ArrayList<>();
                        for (int s = 0; s < sessions.size(); s++) {
                            ClassifierNetwork net = sessions.get(s).network;
                            // features and head run separately so losses can reach the features
                            NDArray f =
                                    net.features()
                                            .forward(stores.get(s), new NDList(x), true)
                                            .singletonOrThrow();
                            logits.add(
                                    net.head()
                                            .forward(stores.get(s), new NDList(f), true)
                                            .singletonOrThrow());
                            features.add(f.reshape(f.getShape().get(0), -1));
                            ParameterStore store = stores.get(s);
                            heads.add(
                                    input ->
                                            net.head()
                                                    .forward(store, new NDList(input), true)
                                                    .singletonOrThrow());
                        }
                        NDArray loss =
                                batchLoss.loss(
                                        new Forward(features, logits, heads),
                                        positions,
                                        batch,
                                        batchManager);
                        collector.backward(loss);
                        lossSum += loss.getFloat();
                    }
                    for (int s = 0; s < sessions.size(); s++) {
                        ModelSession session = sessions.get(s);
                        if (session.settings.gradientClipNorm() > 0) {
                            session.clipGradientNorm(batchManager);
                        }
                        session.stepUnlessGradientsVanished(stores.get(s), batchManager);
                    }
                }
                steps++;
            }
        }
        return steps == 0 ? Double.NaN : lossSum / steps;
    }

    /** Scores the current weights on the given samples. */
    public EvaluationScore evaluate(ImageDataset data, int[] indices) {
        if (indices.length == 0) {
            return new EvaluationScore(Double.NaN, Double.NaN, 0, 0);
        }
        int correct = 0;
        double lossSum = 0;
        boolean[] predicted = new boolean[data.numClasses()];
        int batchSize = Math.max(256, settings.batchSize());
        for (int start = 0; start < indices.length; start += batchSize) {
            int[] batch =
                    Arrays.copyOfRange(indices, start, Math.min(indices.length, start + batchSize));
            try (NDManager manager = pooled.model().getNDManager().newSubManager()) {
                NDArray x = data.images(manager, batch);
                NDArray y =
                        manager.create(Arrays.stream(data.labels(batch)).asLongStream().toArray());
                NDArray logits = inference(manager, x);
                lossSum += Losses.crossEntropyPerSample(logits, y).sum().getFloat();
                NDArray predictions = logits.argMax(1);
                correct += (int) predictions.eq(y).sum().getLong();
                for (long label : predictions.toLongArray()) {
                    predicted[(int) label] = true;
                }
            }
        }
        int predictedClasses = 0;
        for (boolean p : predicted) {
            predictedClasses += p ? 1 : 0;
        }
        return new EvaluationScore(
                (double) correct / indices.length,
                lossSum / indices.length,
                indices.length,
                predictedClasses);
    }

    /**
     * Scales this step's gradients down so that their global L2 norm is at most the configured clip
     * norm (DJL's own {@code clipGrad} only caps values from above, one-sided).
     */
    private void clipGradientNorm(NDManager batchManager) {
        List<NDArray> gradients = new ArrayList<>();
        double squares = 0;
        for (Pair<String, Parameter> p : network.network().getParameters()) {
            if (p.getValue().requiresGradient()) {
                NDArray gradient = p.getValue().getArray().getGradient();
                // a second handle on the gradient, closed with the batch
                gradient.attach(batchManager);
                gradients.add(gradient);
                squares += gradient.square().sum().getFloat();
            }
        }
        double norm = Math.sqrt(squares);
        if (norm > settings.gradientClipNorm()) {
            float factor = (float) (settings.gradientClipNorm() / norm);
            for (NDArray gradient : gradients) {
                gradient.muli(batchManager.full(new Shape(), factor, gradient.getDataType()));
            }
        }
    }

    /**
     * Applies the optimizer step. Until a step has applied, a step whose gradients are all zero is
     * skipped, as DJL's trainer refuses it (its guard against a forgotten backward call): here that
     * only happens when every unit of the model is dead, a state training can reach, and the right
     * step is then to change nothing.
     */
    private void stepUnlessGradientsVanished(ParameterStore store, NDManager batchManager) {
        if (!gradientsChecked) {
            NDList sums = new NDList();
            for (Pair<String, Parameter> p : network.network().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    NDArray gradient = p.getValue().getArray().getGradient();
                    gradient.attach(batchManager);
                    sums.add(gradient.sum());
                }
            }
            if (NDArrays.stack(sums).sum().getFloat() == 0f) {
                LOG.debug("all gradients are zero; step skipped");
                return;
            }
            gradientsChecked = true;
        }
        store.updateAllParameters();
    }

    /** Runs the whole network in evaluation mode; returns the logits. */
    private NDArray inference(NDManager manager, NDArray images) {
        return network.network()
                .forward(new ParameterStore(manager, false), new NDList(images), false)
                .singletonOrThrow();
    }

    /** The objective's tensors, placed once per training call. */
    private final class ObjectiveArrays {
        private final LocalObjective objective;
        private final NDArray teacherTable;
        private final NDArray teacherPresent;
        private final NDArray featureTable;
        private final NDArray featurePresent;
        private final List<NDArray> trainable = new ArrayList<>();
        private final List<NDArray> anchors = new ArrayList<>();
        private final NDArray generatedFeatures;
        private final NDArray generatedLabels;

        ObjectiveArrays(NDManager manager, LocalObjective objective, int classes) {
            this.objective = objective;
            if (objective.generatedFeatures().isPresent()) {
                float[][] rows = objective.generatedFeatures().get();
                int width = rows[0].length;
                float[] flat = new float[rows.length * width];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i], 0, flat, i * width, width);
                }
                generatedFeatures = manager.create(flat, new Shape(rows.length, width));
                generatedLabels =
                        manager.create(
                                Arrays.stream(objective.generatedLabels())
                                        .asLongStream()
                                        .toArray());
            } else {
                generatedFeatures = null;
                generatedLabels = null;
            }
            if (objective.labelTeacher().isPresent()) {
                float[][] rows = objective.labelTeacher().get();
                // a row per label, or, for a per-sample teacher, a row per training sample
                if (!objective.teacherPerSample() && rows.length != classes) {
                    throw new IllegalArgumentException(
                            "teacher has " + rows.length + " labels, data has " + classes);
                }
                float[] table = new float[rows.length * classes];
                float[] present = new float[rows.length];
                for (int c = 0; c < rows.length; c++) {
                    if (rows[c] != null) {
                        if (rows[c].length != classes) {
                            throw new IllegalArgumentException(
                                    "teacher row "
                                            + c
                                            + " has "
                                            + rows[c].length
                                            + " logits, data has "
                                            + classes
                                            + " classes");
                        }
                        System.arraycopy(rows[c], 0, table, c * classes, classes);
                        present[c] = 1;
                    }
                }
                teacherTable = manager.create(table, new Shape(rows.length, classes));
                teacherPresent = manager.create(present);
            } else {
                teacherTable = null;
                teacherPresent = null;
            }
            if (objective.featureTeacher().isPresent()) {
                float[][] rows = objective.featureTeacher().get();
                int width = -1;
                for (float[] row : rows) {
                    if (row != null) {
                        width = row.length;
                    }
                }
                float[] table = new float[classes * Math.max(0, width)];
                float[] present = new float[classes];
                for (int c = 0; c < classes && width > 0; c++) {
                    if (rows[c] != null) {
                        if (rows[c].length != width) {
                            throw new IllegalArgumentException(
                                    "feature teacher rows differ in width");
                        }
                        System.arraycopy(rows[c], 0, table, c * width, width);
                        present[c] = 1;
                    }
                }
                featureTable = width > 0 ? manager.create(table, new Shape(classes, width)) : null;
                featurePresent = width > 0 ? manager.create(present) : null;
            } else {
                featureTable = null;
                featurePresent = null;
            }
            if (objective.proximalAnchor().isPresent() && objective.mu() > 0) {
                TensorRecord anchor = objective.proximalAnchor().get();
                for (Pair<String, Parameter> p : network.network().getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        Tensor t = anchor.get(p.getKey());
                        trainable.add(p.getValue().getArray());
                        anchors.add(
                                manager.create(
                                        t.toFloatArray(), p.getValue().getArray().getShape()));
                    }
                }
            }
        }

        NDArray loss(
                NDArray features,
                NDArray logits,
                NDArray labels,
                NDArray positions,
                UnaryOperator<NDArray> head,
                NDManager batchManager) {
            NDArray loss;
            if (teacherTable != null) {
                NDArray rows = objective.teacherPerSample() ? positions : labels;
                NDArray teacher = teacherTable.get(batchManager, new NDIndex("{}", rows));
                NDArray present = teacherPresent.get(batchManager, new NDIndex("{}", rows));
                loss =
                        Losses.distillation(
                                logits,
                                teacher,
                                labels,
                                present,
                                objective.alpha(),
                                objective.temperature());
            } else {
                loss = Losses.crossEntropy(logits, labels);
            }
            if (featureTable != null) {
                if (features.getShape().get(1) != featureTable.getShape().get(1)) {
                    throw new IllegalArgumentException(
                            "the model's features are "
                                    + features.getShape().get(1)
                                    + " wide, the feature teacher's "
                                    + featureTable.getShape().get(1));
                }
                NDArray target = featureTable.get(batchManager, new NDIndex("{}", labels));
                NDArray present = featurePresent.get(batchManager, new NDIndex("{}", labels));
                loss =
                        loss.add(
                                Losses.scaled(
                                        Losses.featureAlignment(features, target, present),
                                        objective.featureWeight()));
            }
            if (generatedFeatures != null) {
                // the head must classify the generator's features as the labels they were made for
                NDArray generated =
                        generatedFeatures.get(batchManager, new NDIndex("{}", positions));
                NDArray generatedFor =
                        generatedLabels.get(batchManager, new NDIndex("{}", positions));
                loss =
                        loss.add(
                                Losses.scaled(
                                        Losses.crossEntropy(head.apply(generated), generatedFor),
                                        objective.generatedWeight()));
            }
            if (!trainable.isEmpty()) {
                loss = loss.add(Losses.proximal(trainable, anchors, objective.mu(), batchManager));
            }
            return loss;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return; // a second close must not give the network back twice
        }
        closed = true;
        try {
            optimizer.close();
        } finally {
            NetworkPool.shared().giveBack(pooled);
        }
    }
}
