package io.fedistill.algorithms.localonly;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.List;

/**
 * The baseline every table needs: each participant trains alone on its own data. The coordinator
 * only tells selected participants to train; nothing is learned from others.
 */
public final class LocalOnlyAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "local-only";

    /** The request to train one more local epoch. */
    static final MessageType TRAIN = MessageType.of(NAME, "train");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        return (RoundContext context, Fleet fleet) -> {
            List<Message> requests =
                    context.selected().stream()
                            .map(id -> Message.builder(context.round(), TRAIN, id).build())
                            .toList();
            int trained =
                    fleet.exchange(requests, ReplySpec.metricsOnly("examples")).replies().size();
            return Metrics.of("participants_trained", trained);
        };
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return local.learner(
                TRAIN,
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
