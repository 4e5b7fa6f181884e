package io.fedistill.algorithms.fml;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import io.fedistill.algorithms.fedavg.WeightAveragingStrategy;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.Map;
import java.util.Optional;

/**
 * FML (Shen et al. 2020): the coordinator holds a global model of one architecture and averages it
 * as FedAvg does; each participant trains its private model (any architecture) and its copy of the
 * global model side by side on the same batches, each on {@code weight * CE + (1 - weight) *
 * KL(peer ‖ own)} ({@link io.fedistill.ml.train.Losses#mutual}), and uploads only the global copy.
 * Participants are scored on their private models, the global model on the test set.
 */
public final class FmlAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = FmlSettings.NAME;

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

    /** Creates FML from its options (see {@link FmlSettings#fromOptions}). */
    public static FmlAlgorithm fromOptions(Map<String, Object> options) {
        FmlSettings settings = FmlSettings.fromOptions(options);
        ModelSpec globalModel;
        try {
            globalModel = ModelSpec.parse(settings.globalModel());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "algorithm '" + NAME + "': option 'model': " + e.getMessage(), e);
        }
        return new FmlAlgorithm(
                settings.exchange(),
                globalModel,
                (float) settings.alpha(),
                (float) settings.beta());
    }

    @Override
    public Optional<SecureSumSettings> secureSums() {
        return exchange.secure();
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
                .onDataFree(
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
