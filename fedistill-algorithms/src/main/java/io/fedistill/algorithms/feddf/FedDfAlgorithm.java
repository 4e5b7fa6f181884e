package io.fedistill.algorithms.feddf;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainOutcome;
import io.fedistill.ml.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FedDF, ensemble distillation for model fusion (Lin et al. 2020): participants train and upload
 * weights; the coordinator averages them within each architecture group, then distills the ensemble
 * of all participants' averaged logits on unlabeled public data into every group's model, stopping
 * early when agreement with the ensemble on held-out public samples stops improving, and sends each
 * participant its group's fused model.
 */
public final class FedDfAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "feddf";

    /** The request to train on private data and upload the weights. */
    static final MessageType TRAIN = MessageType.of(NAME, "train");

    /** The request to adopt the fused model of the participant's group. */
    static final MessageType ADOPT = MessageType.of(NAME, "adopt");

    private static final List<String> OPTIONS =
            List.of(
                    "subsetSize",
                    "maxEpochs",
                    "validationFraction",
                    "temperature",
                    "learningRate",
                    "batchSize",
                    "groups",
                    "weighting",
                    "secure");

    private final Settings settings;

    /**
     * FedDF's coordinator-side distillation settings.
     *
     * @param subsetSize public samples drawn per round (split into distillation and validation)
     * @param maxEpochs most distillation epochs per group per round
     * @param validationFraction share of the subset held out for early stopping
     * @param temperature softening of the ensemble's logits
     * @param learningRate Adam's learning rate on the coordinator
     * @param batchSize distillation batch size
     * @param groups the architecture groups declared in the config (empty: one group per
     *     architecture present)
     * @param weighting how participants' logits are weighted in the ensemble
     */
    record Settings(
            int subsetSize,
            int maxEpochs,
            double validationFraction,
            double temperature,
            double learningRate,
            int batchSize,
            List<ModelSpec> groups,
            ParticipantWeighting weighting) {}

    private FedDfAlgorithm(Settings settings) {
        this.settings = settings;
    }

    /**
     * Creates FedDF from its options: {@code subsetSize} (1000), {@code maxEpochs} (5), {@code
     * validationFraction} (0.2), {@code temperature} (1), {@code learningRate} (0.001), {@code
     * batchSize} (64), {@code groups} (architectures allowed, e.g. [mlp, lenet]; default: any),
     * {@code weighting} of the participants in the ensemble (uniform; {@code examples}, {@code
     * class-counts}, {@code validation-accuracy}).
     */
    public static FedDfAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, OPTIONS);
        read.refuseSecure(
                "FedDF needs: each participant's weights, to fuse per architecture and to ensemble"
                        + " on public data");
        return new FedDfAlgorithm(
                new Settings(
                        read.getInt("subsetSize", 1000, 10, 10_000_000),
                        read.getInt("maxEpochs", 5, 1, 1000),
                        read.getDouble("validationFraction", 0.2, 0.01, 0.9),
                        read.getDouble("temperature", 1.0, 1e-3, 1e3),
                        read.getDouble("learningRate", 0.001, 1e-7, 10),
                        read.getInt("batchSize", 64, 1, 100_000),
                        read.getParsedList("groups", ModelSpec::parse),
                        read.getWeighting("weighting")));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        if (!settings.groups().isEmpty()) {
            setup.models()
                    .forEach(
                            (id, spec) -> {
                                if (!settings.groups().contains(spec)) {
                                    throw new IllegalArgumentException(
                                            NAME
                                                    + ": participant "
                                                    + id
                                                    + "'s model "
                                                    + spec
                                                    + " matches no declared group "
                                                    + settings.groups());
                                }
                            });
        }
        setup.requirePublicData(NAME, settings.subsetSize());
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return new FusionStrategy(setup, settings);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return local.learnerBuilder()
                .on(
                        ADOPT,
                        (request, context) -> {
                            // the coordinator's fused model of this participant's group becomes its
                            // model
                            context.state().save(LocalModel.WEIGHTS_KEY, request.tensors());
                            return request.reply().optMetrics(Metrics.of("received", 1)).build();
                        })
                .on(
                        TRAIN,
                        (request, context) -> {
                            try (ModelSession session =
                                    local.open(context.state().load(LocalModel.WEIGHTS_KEY))) {
                                TrainOutcome outcome =
                                        local.trainPrivate(
                                                session,
                                                LocalObjective.crossEntropy(),
                                                request.round());
                                // the weights, and what the ensemble's weighting reads
                                return request.reply()
                                        .optTensors(
                                                TensorRecord.builder()
                                                        .putAll(session.weights())
                                                        .put(
                                                                KnowledgeProtocol.LABEL_COUNTS,
                                                                local.labelCounts(),
                                                                TensorRole.COUNTS)
                                                        .build())
                                        .optMetrics(
                                                local.trainingMetricsWithValidation(
                                                        outcome, request, session))
                                        .build();
                            }
                        })
                .build();
    }

    /** Returns an open session on weights of an architecture, for the coordinator. */
    static ModelSession coordinatorSession(
            FederationSetup setup, ModelSpec spec, TensorRecord weights, Settings settings) {
        TrainingSettings training =
                new TrainingSettings(
                        OptimizerKind.ADAM,
                        (float) settings.learningRate(),
                        0f,
                        settings.batchSize(),
                        1,
                        0f);
        return ModelSession.open(
                spec, setup.imageShape(), setup.numClasses(), training, Optional.of(weights), 0);
    }
}
