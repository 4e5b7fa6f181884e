package io.fedistill.algorithms.fedgen;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.fedistill.core.aggregate.WeightedMean;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.ml.model.FeatureGenerator;
import io.fedistill.ml.train.BlockTrainer;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedGen's coordinator: sends the global head (or model), the generator and the global label
 * counts; averages the uploaded heads (or models) by examples; then trains the generator so that
 * the participants' heads, each weighted per label by its share of that label's samples, classify
 * its features as the labels they were generated for, plus the diversity loss.
 */
final class FedGenStrategy implements Strategy {
    static final MessageType TRAIN = MessageType.of(FedGenSettings.NAME, "train");
    static final String SHARED = "shared";
    static final String GENERATOR = "generator";
    static final String HEAD = "head";
    static final String MODEL = "model";
    static final String LABEL_COUNTS = "label_counts";
    static final String GENERATIVE_WEIGHT = "generative_weight";

    private static final Logger LOG = LoggerFactory.getLogger(FedGenStrategy.class);

    private final FedGenSettings settings;
    private final FeatureGenerator generator;
    private final long seed;
    private TensorRecord shared;
    private TensorRecord generatorWeights;
    private float[] labelCounts;

    FedGenStrategy(
            FedGenSettings settings, FeatureGenerator generator, long seed, TensorRecord initial) {
        this.settings = settings;
        this.generator = generator;
        this.seed = seed;
        this.shared = initial;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        // what a request carries is what the strategy carries: head or model, generator, counts
        TensorRecord tensors = snapshot();
        ConfigRecord config =
                ConfigRecord.of(GENERATIVE_WEIGHT, settings.generativeWeight(context.round()));
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            requests.add(
                    Message.builder(context.round(), TRAIN, id)
                            .optTensors(tensors)
                            .optConfig(config)
                            .build());
        }
        ExchangeResult result = fleet.exchange(requests, ReplySpec.anyTensors("examples"));
        List<TensorRecord> uploads = new ArrayList<>();
        List<float[][]> headWeights = new ArrayList<>();
        List<float[]> headBiases = new ArrayList<>();
        List<float[]> counts = new ArrayList<>();
        List<Double> examples = new ArrayList<>();
        for (Message reply : result.replies()) {
            Optional<String> problem = check(reply.tensors());
            if (problem.isPresent()) {
                LOG.warn(
                        "round {}: FedGen upload of {} rejected: {}",
                        context.round(),
                        reply.participantId(),
                        problem.get());
                continue;
            }
            if (reply.metrics().get("examples") <= 0) {
                continue;
            }
            TensorRecord head = reply.tensors().section(HEAD);
            uploads.add(settings.shareModel() ? reply.tensors().section(MODEL) : head);
            headWeights.add(head.get(ModelSession.HEAD_PREFIX + 0).rows());
            headBiases.add(head.get(ModelSession.HEAD_PREFIX + 1).toFloatArray());
            counts.add(reply.tensors().get(LABEL_COUNTS).toFloatArray());
            examples.add(reply.metrics().get("examples"));
        }
        if (uploads.isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        shared =
                WeightedMean.of(
                        uploads, examples.stream().mapToDouble(Double::doubleValue).toArray());
        labelCounts = new float[generator.classes()];
        counts.forEach(
                c -> {
                    for (int k = 0; k < c.length; k++) {
                        labelCounts[k] += c[k];
                    }
                });
        double loss = trainGenerator(context.round(), headWeights, headBiases, counts);
        return Metrics.of("participants_aggregated", uploads.size(), "generator_loss", loss);
    }

    /** Says what is wrong with an upload, if anything: its head, its model or its counts. */
    private Optional<String> check(TensorRecord upload) {
        int classes = generator.classes();
        int width = generator.featureWidth();
        TensorRecord head = upload.section(HEAD);
        if (head.size() != 2
                || !head.find(ModelSession.HEAD_PREFIX + 0)
                        .map(t -> t.hasShape(new int[] {classes, width}))
                        .orElse(false)
                || !head.find(ModelSession.HEAD_PREFIX + 1)
                        .map(t -> t.hasShape(new int[] {classes}))
                        .orElse(false)) {
            return Optional.of(
                    "the head must be a linear layer of shapes ["
                            + classes
                            + ", "
                            + width
                            + "] and ["
                            + classes
                            + "], got "
                            + head.names());
        }
        if (!upload.find(LABEL_COUNTS).map(t -> t.hasShape(new int[] {classes})).orElse(false)) {
            return Optional.of("no label counts of shape [" + classes + "]");
        }
        if (settings.shareModel() && shared != null) {
            TensorRecord model = upload.section(MODEL);
            for (String name : shared.names()) {
                if (!model.find(name)
                        .map(t -> t.hasShape(shared.get(name).shape()))
                        .orElse(false)) {
                    return Optional.of(
                            "model tensor '"
                                    + name
                                    + "' missing or not of shape "
                                    + Arrays.toString(shared.get(name).shape()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Trains the generator against the heads' label-weighted ensemble; returns the last step's loss
     * (NaN without steps).
     */
    private double trainGenerator(
            int round, List<float[][]> heads, List<float[]> biases, List<float[]> counts) {
        int classes = generator.classes();
        int width = generator.featureWidth();
        int participants = heads.size();
        // each head's share of each label's samples; a label nobody holds weighs every head alike
        float[][] share = new float[participants][classes];
        for (int c = 0; c < classes; c++) {
            double total = 0;
            for (float[] count : counts) {
                total += Math.max(0, count[c]);
            }
            for (int k = 0; k < participants; k++) {
                share[k][c] =
                        total > 0
                                ? (float) (Math.max(0, counts.get(k)[c]) / total)
                                : 1f / participants;
            }
        }
        float[] weightFlat = new float[participants * classes * width];
        float[] biasFlat = new float[participants * classes];
        for (int k = 0; k < participants; k++) {
            for (int c = 0; c < classes; c++) {
                System.arraycopy(heads.get(k)[c], 0, weightFlat, (k * classes + c) * width, width);
            }
            System.arraycopy(biases.get(k), 0, biasFlat, k * classes, classes);
        }
        TrainingSettings adam =
                new TrainingSettings(
                        OptimizerKind.ADAM,
                        (float) settings.serverLearningRate(),
                        0f,
                        settings.serverBatchSize(),
                        1,
                        (float) settings.serverWeightDecay());
        Random random = new Random(Seeds.derive(seed, round, "", "fedgen-generator"));
        double last = Double.NaN;
        try (BlockTrainer trainer =
                BlockTrainer.create(
                        "fedgen's generator",
                        generator.block(),
                        generator.inputShape(1),
                        adam,
                        seed)) {
            if (generatorWeights != null) {
                trainer.loadWeights(generatorWeights);
            }
            int batch = settings.serverBatchSize();
            for (int step = 0; step < settings.serverSteps(); step++) {
                int[] labels = FeatureGenerator.sampleLabels(labelCounts, batch, random);
                float[] inputs = generator.inputs(labels, random);
                float[] sampleShares = new float[participants * batch];
                for (int k = 0; k < participants; k++) {
                    for (int i = 0; i < batch; i++) {
                        sampleShares[k * batch + i] = share[k][labels[i]];
                    }
                }
                long[] target = Arrays.stream(labels).asLongStream().toArray();
                last =
                        trainer.step(
                                s -> {
                                    NDManager m = s.manager();
                                    NDArray input = m.create(inputs, generator.inputShape(batch));
                                    NDArray features = s.forward(input);
                                    NDArray weights =
                                            m.create(
                                                    weightFlat,
                                                    new Shape(participants, classes, width));
                                    NDArray bias =
                                            m.create(biasFlat, new Shape(participants, classes));
                                    NDArray perSample =
                                            m.create(
                                                    sampleShares,
                                                    new Shape(participants, batch, 1));
                                    NDArray ensemble = null;
                                    for (int k = 0; k < participants; k++) {
                                        NDArray logits =
                                                features.matMul(weights.get(k).transpose())
                                                        .add(bias.get(k))
                                                        .mul(perSample.get(k));
                                        ensemble = ensemble == null ? logits : ensemble.add(logits);
                                    }
                                    NDArray loss = Losses.crossEntropy(ensemble, m.create(target));
                                    return settings.diversityWeight() > 0
                                            ? loss.add(
                                                    Losses.scaled(
                                                            Losses.diversity(
                                                                    input.get(
                                                                            ":, :"
                                                                                    + generator
                                                                                            .noiseWidth()),
                                                                    features),
                                                            (float) settings.diversityWeight()))
                                            : loss;
                                },
                                Seeds.derive(seed, round, "", "fedgen-step"));
            }
            if (!Double.isFinite(last)) {
                LOG.warn("round {}: FedGen's generator diverged; the last good one is kept", round);
                return last;
            }
            generatorWeights = trainer.weights();
        }
        return last;
    }

    /** Participants are scored with the global head (or model) on their own model. */
    @Override
    public TensorRecord evaluationPayload() {
        return shared == null ? TensorRecord.empty() : shared;
    }

    @Override
    public TensorRecord snapshot() {
        TensorRecord.Builder snapshot = TensorRecord.builder();
        if (shared != null) {
            snapshot.putSection(SHARED, shared);
        }
        if (generatorWeights != null) {
            snapshot.putSection(GENERATOR, generatorWeights)
                    .put(
                            LABEL_COUNTS,
                            Tensor.wrap(new int[] {labelCounts.length}, labelCounts.clone()),
                            TensorRole.COUNTS);
        }
        return snapshot.build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        TensorRecord storedShared = snapshot.section(SHARED);
        shared = storedShared.isEmpty() ? null : storedShared;
        TensorRecord storedGenerator = snapshot.section(GENERATOR);
        generatorWeights = storedGenerator.isEmpty() ? null : storedGenerator;
        labelCounts = snapshot.find(LABEL_COUNTS).map(Tensor::toFloatArray).orElse(null);
    }
}
