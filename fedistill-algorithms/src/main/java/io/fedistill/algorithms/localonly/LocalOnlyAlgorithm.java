package io.fedistill.algorithms.localonly;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;

/**
 * The baseline every table needs: each participant trains alone on its own data. The coordinator
 * only tells selected participants to train; nothing is learned from others.
 */
public final class LocalOnlyAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = LocalOnlyStrategy.NAME;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        return new LocalOnlyStrategy();
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return local.learner(
                LocalOnlyStrategy.TRAIN,
                (request, context) -> {
                    try (ModelSession session = local.openStored(context)) {
                        TrainOutcome outcome =
                                local.trainPrivate(
                                        session, LocalObjective.crossEntropy(), request.round());
                        context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
                        return request.reply()
                                .optMetrics(LocalModel.trainingMetrics(outcome))
                                .build();
                    }
                });
    }
}
