package io.fedistill.algorithms.fml;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import io.fedistill.algorithms.fedavg.WeightAveragingStrategy;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * FML (Shen et al. 2020): the coordinator holds a global model of one architecture and averages it
 * as FedAvg does; each participant trains its private model (any architecture) and its copy of the
 * global model side by side on the same batches, each on {@code weight * CE + (1 - weight) *
 * KL(peer ‖ own)} ({@link io.fedistill.ml.train.Losses#mutual}), and uploads only the global copy.
 * Participants are scored on their private models, the global model on the test set.
 */
public final class FmlAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = WeightAveragingSettings.FML;

    private final WeightAveragingSettings exchange;
    private final ModelSpec globalModel;
    private final float alpha;
    private final float beta;

    private FmlAlgorithm(
            WeightAveragingSettings exchange, ModelSpec globalModel, float alpha, float beta) {
        this.exchange = exchange;
        this.globalModel = globalModel;
        this.alpha = alpha;
        this.beta = beta;
    }

    /**
     * Creates FML from its options: {@code model} (required: the global model's architecture, which
     * every participant must know; HtFLlib takes the first participant's), {@code alpha} (the
     * private model's cross-entropy weight, default 0.5) and {@code beta} (the global model's,
     * default 0.5: HtFLlib's tuned values), and FedAvg's options for averaging the global model.
     */
    public static FmlAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        Stream.concat(
                                        WeightAveragingSettings.FML_OPTIONS.stream(),
                                        WeightAveragingSettings.OPTIONS.stream())
                                .toList());
        return new FmlAlgorithm(
                WeightAveragingSettings.fml(options),
                read.getParsed(
                        "model", "the global model's architecture, e.g. cnn:0.5", ModelSpec::parse),
                (float) read.getDouble("alpha", 0.5, 0, 1),
                (float) read.getDouble("beta", 0.5, 0, 1));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<ModelSpec> coordinatorModel(FederationSetup setup) {
        return Optional.of(globalModel);
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        return exchange.newStrategy(Optional.of(LocalModel.initialWeights(setup, globalModel)));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return local.learnerBuilder()
                .on(
                        WeightAveragingStrategy.initType(NAME),
                        (request, context) ->
                                request.reply()
                                        .optTensors(local.initialWeights(globalModel))
                                        .build())
                .on(
                        WeightAveragingStrategy.trainType(NAME),
                        (request, context) -> {
                            try (ModelSession own = local.openStored(context);
                                    ModelSession copy =
                                            local.open(
                                                    globalModel, Optional.of(request.tensors()))) {
                                TrainOutcome outcome =
                                        own.trainWith(
                                                copy,
                                                setup.trainSet(),
                                                setup.split().trainIndices(),
                                                (logits, peer, features, peerFeatures, labels) ->
                                                        Losses.mutual(logits, peer, labels, alpha)
                                                                .add(
                                                                        Losses.mutual(
                                                                                peer, logits,
                                                                                labels, beta)),
                                                local.trainingSeed(request.round()));
                                context.state().save(LocalModel.WEIGHTS_KEY, own.weights());
                                return request.reply()
                                        .optTensors(copy.weights())
                                        .optMetrics(LocalModel.trainingMetrics(outcome))
                                        .build();
                            }
                        })
                .build();
    }
}
