package io.fedistill.algorithms.fedavg;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.Map;
import java.util.Optional;

/**
 * FedAvg (McMahan et al. 2017): participants train from the global weights and upload theirs; the
 * coordinator takes their example-weighted mean. With a proximal weight {@code mu > 0} it is
 * FedProx's participant objective on the same exchange.
 */
public final class FedAvgAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = WeightAveragingSettings.FEDAVG;

    private final WeightAveragingSettings settings;

    /** Creates the weight-averaging exchange with its settings (FedAvg, or FedProx). */
    public FedAvgAlgorithm(WeightAveragingSettings settings) {
        this.settings = settings;
    }

    /** Creates FedAvg from its (empty) option map. */
    public static FedAvgAlgorithm fromOptions(Map<String, Object> options) {
        return new FedAvgAlgorithm(WeightAveragingSettings.fedAvg(options));
    }

    @Override
    public Optional<SecureSumSettings> secureSums() {
        return settings.secure();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public void validate(FederationSetup setup) {
        settings.validate(setup.models().values());
    }

    @Override
    public Optional<ModelSpec> coordinatorModel(FederationSetup setup) {
        return setup.models().values().stream().findFirst();
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        ModelSpec spec = setup.models().values().iterator().next();
        return settings.newStrategy(Optional.of(LocalModel.initialWeights(setup, spec)));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return local.learnerBuilder()
                .onDataFree(
                        WeightAveragingStrategy.initType(settings.name()),
                        (request, context) -> {
                            return request.reply().optTensors(local.initialWeights()).build();
                        })
                .on(
                        WeightAveragingStrategy.trainType(settings.name()),
                        (request, context) -> {
                            float proximalMu =
                                    (float) request.config().getDouble(WeightAveragingStrategy.MU);
                            try (ModelSession session =
                                    local.open(Optional.of(request.tensors()))) {
                                LocalObjective objective =
                                        proximalMu > 0
                                                ? LocalObjective.crossEntropy()
                                                        .withProximalTerm(
                                                                request.tensors(), proximalMu)
                                                : LocalObjective.crossEntropy();
                                TrainOutcome outcome =
                                        local.trainPrivate(session, objective, request.round());
                                return request.reply()
                                        .optTensors(session.weights())
                                        .optMetrics(LocalModel.trainingMetrics(outcome))
                                        .build();
                            }
                        })
                .build();
    }
}
