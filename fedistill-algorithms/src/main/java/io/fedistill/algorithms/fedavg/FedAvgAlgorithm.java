package io.fedistill.algorithms.fedavg;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FedAvg (McMahan et al. 2017): participants train from the global weights and upload theirs; the
 * coordinator takes their example-weighted mean. With a proximal weight {@code mu > 0} it is
 * FedProx's participant objective on the same exchange.
 */
public final class FedAvgAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "fedavg";

    private final String name;
    private final double mu;

    private FedAvgAlgorithm(String name, double mu) {
        this.name = name;
        this.mu = mu;
    }

    /** Creates FedAvg from its (empty) option map. */
    public static FedAvgAlgorithm fromOptions(Map<String, Object> options) {
        new AlgorithmOptions(NAME, options, List.of());
        return new FedAvgAlgorithm(NAME, 0);
    }

    /** Creates the weight-averaging exchange with a proximal term, under another name (FedProx). */
    public static FedAvgAlgorithm withProximalTerm(String name, double mu) {
        if (!(mu >= 0)) {
            throw new IllegalArgumentException(name + ": mu must be >= 0, got " + mu);
        }
        return new FedAvgAlgorithm(name, mu);
    }

    @Override
    public String name() {
        return name;
    }

    /** The request to train from the global weights it carries: {@code <name>.train}. */
    private MessageType trainType() {
        return MessageType.of(name, "train");
    }

    @Override
    public void validate(FederationSetup setup) {
        if (new HashSet<>(setup.models().values()).size() > 1) {
            throw new IllegalArgumentException(
                    name
                            + " averages weights, so every participant needs the same "
                            + "architecture; got "
                            + setup.models());
        }
    }

    @Override
    public Optional<ModelSpec> coordinatorModel(FederationSetup setup) {
        return setup.models().values().stream().findFirst();
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        ModelSpec spec = setup.models().values().iterator().next();
        return new WeightAveragingStrategy(trainType(), LocalModel.initialWeights(setup, spec), mu);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return local.learner(
                trainType(),
                (request, context) -> {
                    float proximalMu =
                            (float) request.config().getDouble(WeightAveragingStrategy.MU);
                    try (ModelSession session = local.open(Optional.of(request.tensors()))) {
                        LocalObjective objective =
                                proximalMu > 0
                                        ? LocalObjective.crossEntropy()
                                                .withProximalTerm(request.tensors(), proximalMu)
                                        : LocalObjective.crossEntropy();
                        TrainOutcome outcome =
                                local.trainPrivate(session, objective, request.round());
                        return request.reply()
                                .optTensors(session.weights())
                                .optMetrics(LocalModel.trainingMetrics(outcome))
                                .build();
                    }
                });
    }
}
