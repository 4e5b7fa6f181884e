package io.fedistill.algorithms.fedgen;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.model.FeatureGenerator;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.BlockTrainer;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import io.fedistill.ml.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * FedGen (Zhu et al. 2021): participants upload their classifier heads (or, with {@code share:
 * model}, their whole models, one architecture as in FedAvg) and label counts; the coordinator
 * averages them and trains a conditional generator {@code G(z | y)} in feature space against the
 * label-count-weighted ensemble of the heads, with the paper's diversity term; participants
 * download the generator and train with {@code CE + w_r * CE(head(G(z | y)), y)} on labels drawn
 * from the global label counts, the generative weight {@code w_r} decaying by round. Heads must be
 * linear layers on features of one width ({@code name@width}).
 */
public final class FedGenAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = FedGenSettings.NAME;

    private final FedGenSettings settings;

    private FedGenAlgorithm(FedGenSettings settings) {
        this.settings = settings;
    }

    /** Creates FedGen from its options (see {@link FedGenSettings#fromOptions}). */
    public static FedGenAlgorithm fromOptions(Map<String, Object> options) {
        return new FedGenAlgorithm(FedGenSettings.fromOptions(options));
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Refuses heads that are not one linear layer on features of a common width, and, when whole
     * models are shared, more than one architecture.
     */
    @Override
    public void validate(FederationSetup setup) {
        int width = setup.commonFeatureWidth(NAME);
        List<List<Long>> linear =
                List.of(
                        List.of((long) setup.numClasses(), (long) width),
                        List.of((long) setup.numClasses()));
        for (ModelSpec spec : setup.models().values()) {
            List<List<Long>> shapes =
                    ModelZoo.headShapes(spec, setup.imageShape(), setup.numClasses());
            if (!shapes.equals(linear)) {
                throw new IllegalArgumentException(
                        NAME
                                + " runs every participant's head on generated features, so each"
                                + " head must be one linear layer "
                                + linear
                                + "; "
                                + spec
                                + "'s head has parameters "
                                + shapes);
            }
        }
        if (settings.shareModel() && setup.modelTexts().size() > 1) {
            throw new IllegalArgumentException(
                    NAME
                            + " with share: model averages whole models, so every participant needs"
                            + " the same architecture; got "
                            + setup.modelTexts()
                            + " (share: head works across architectures)");
        }
    }

    private FeatureGenerator generator(int classes, int width) {
        return new FeatureGenerator(settings.noiseWidth(), classes, settings.hiddenWidth(), width);
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        // every participant starts from one head (or model): the first participant's seeded one,
        // as HtFLlib's server starts from client 0's
        ModelSpec first = setup.models().values().iterator().next();
        TensorRecord initial = LocalModel.initialWeights(setup, first);
        TensorRecord shared;
        if (settings.shareModel()) {
            shared = initial;
        } else {
            try (ModelSession session =
                    ModelSession.open(
                            first,
                            setup.imageShape(),
                            setup.numClasses(),
                            setup.training(),
                            Optional.of(initial),
                            0)) {
                shared = session.headWeights();
            }
        }
        return new FedGenStrategy(
                settings,
                generator(setup.numClasses(), setup.commonFeatureWidth(NAME)),
                Seeds.derive(setup.seed(), 0, "", "fedgen"),
                shared);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        int classes = setup.trainSet().numClasses();
        FeatureGenerator generator =
                generator(
                        classes,
                        Math.toIntExact(
                                ModelZoo.featureWidth(
                                        setup.model(), setup.trainSet().imageShape(), classes)));
        return Learner.builder()
                .on(
                        FedGenStrategy.TRAIN,
                        (request, context) -> {
                            try (ModelSession session =
                                    withShared(
                                            local,
                                            context,
                                            request.tensors().section(FedGenStrategy.SHARED))) {
                                LocalObjective objective = regularized(local, generator, request);
                                TrainOutcome outcome =
                                        local.trainPrivate(session, objective, request.round());
                                context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
                                TensorRecord.Builder upload =
                                        TensorRecord.builder()
                                                .putSection(
                                                        FedGenStrategy.HEAD, session.headWeights())
                                                .put(
                                                        FedGenStrategy.LABEL_COUNTS,
                                                        local.labelCounts(),
                                                        io.fedistill.core.tensor.TensorRole.COUNTS);
                                if (settings.shareModel()) {
                                    upload.putSection(FedGenStrategy.MODEL, session.weights());
                                }
                                return request.reply()
                                        .optTensors(upload.build())
                                        .optMetrics(LocalModel.trainingMetrics(outcome))
                                        .build();
                            }
                        })
                .on(
                        MessageType.EVALUATE,
                        (request, context) -> {
                            try (ModelSession session =
                                    withShared(local, context, request.tensors())) {
                                return local.evaluate(request, session, ModelSession::evaluate);
                            }
                        })
                .build();
    }

    /**
     * Cross-entropy, plus the generative regularizer once the request carries a generator: one
     * generated feature per training sample, for a label drawn from the global counts.
     */
    private LocalObjective regularized(
            LocalModel local, FeatureGenerator generator, Message request) {
        TensorRecord weights = request.tensors().section(FedGenStrategy.GENERATOR);
        if (weights.isEmpty()) {
            return LocalObjective.crossEntropy();
        }
        int samples = local.setup().split().trainIndices().length;
        if (samples == 0) {
            return LocalObjective.crossEntropy();
        }
        float[] counts = request.tensors().get(FedGenStrategy.LABEL_COUNTS).toFloatArray();
        Random random = new Random(local.trainingSeed(request.round()) ^ 0x6E4L);
        int[] labels = FeatureGenerator.sampleLabels(counts, samples, random);
        float[] inputs = generator.inputs(labels, random);
        float[] flat;
        try (BlockTrainer network =
                BlockTrainer.create(
                        "fedgen's generator",
                        generator.block(),
                        generator.inputShape(1),
                        TrainingSettings.defaults(),
                        0)) {
            network.loadWeights(weights);
            flat = network.infer(m -> m.create(inputs, generator.inputShape(samples)));
        }
        int width = generator.featureWidth();
        float[][] features = new float[samples][width];
        for (int i = 0; i < samples; i++) {
            System.arraycopy(flat, i * width, features[i], 0, width);
        }
        return LocalObjective.crossEntropy()
                .withGeneratedFeatures(
                        features,
                        labels,
                        (float) request.config().getDouble(FedGenStrategy.GENERATIVE_WEIGHT));
    }

    /** Opens the stored model with the global head (or whole model) put on, if one is given. */
    private ModelSession withShared(
            LocalModel local, ParticipantContext context, TensorRecord shared) {
        if (settings.shareModel() && !shared.isEmpty()) {
            return local.open(Optional.of(shared));
        }
        ModelSession session = local.openStored(context);
        try {
            if (!shared.isEmpty()) {
                session.loadHeadWeights(shared);
            }
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
