package io.fedistill.algorithms.lgfedavg;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.FeatureWidths;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import io.fedistill.algorithms.fedavg.WeightAveragingStrategy;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * LG-FedAvg (Liang et al. 2020): participants of any architecture whose classifier heads have the
 * same shape share only their heads. Each round a participant puts the global head on its own
 * feature extractor, trains the whole model on its data and uploads the head; the coordinator
 * averages the heads as FedAvg averages models (the first global head is a participant's seeded
 * initial head, as HtFLlib starts from client 0's). Participants are scored with their own
 * extractor under the global head.
 */
public final class LgFedAvgAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = WeightAveragingSettings.LG_FEDAVG;

    private final WeightAveragingSettings settings;

    private LgFedAvgAlgorithm(WeightAveragingSettings settings) {
        this.settings = settings;
    }

    /** Creates LG-FedAvg from its options (FedAvg's). */
    public static LgFedAvgAlgorithm fromOptions(Map<String, Object> options) {
        return new LgFedAvgAlgorithm(WeightAveragingSettings.lgFedAvg(options));
    }

    @Override
    public Optional<SecureSumSettings> secureSums() {
        return settings.secure();
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Refuses architectures whose heads differ in shape, suggesting a common projection. */
    @Override
    public void validate(FederationSetup setup) {
        Map<String, List<List<Long>>> shapes = new LinkedHashMap<>();
        for (ModelSpec spec : setup.models().values()) {
            shapes.computeIfAbsent(
                    spec.toString(),
                    text -> ModelZoo.headShapes(spec, setup.imageShape(), setup.numClasses()));
        }
        FeatureWidths.requireEqual(
                NAME,
                "shares the classifier head, so every participant's head must have the same shape",
                shapes);
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return settings.newStrategy(Optional.empty());
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return Learner.builder()
                .onDataFree(
                        WeightAveragingStrategy.initType(NAME),
                        (request, context) -> {
                            try (ModelSession session = local.open(Optional.empty())) {
                                return request.reply().optTensors(session.headWeights()).build();
                            }
                        })
                .on(
                        WeightAveragingStrategy.trainType(NAME),
                        (request, context) -> {
                            try (ModelSession session = withGlobalHead(local, request, context)) {
                                TrainOutcome outcome =
                                        local.trainPrivate(
                                                session,
                                                LocalObjective.crossEntropy(),
                                                request.round());
                                context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
                                return request.reply()
                                        .optTensors(session.headWeights())
                                        .optMetrics(LocalModel.trainingMetrics(outcome))
                                        .build();
                            }
                        })
                .on(
                        MessageType.EVALUATE,
                        (request, context) -> {
                            try (ModelSession session = withGlobalHead(local, request, context)) {
                                return local.evaluate(request, session, ModelSession::evaluate);
                            }
                        })
                .build();
    }

    /** Opens the participant's stored model with the global head the request carries, if any. */
    private static ModelSession withGlobalHead(
            LocalModel local, Message request, ParticipantContext context) {
        ModelSession session = local.openStored(context);
        try {
            if (!request.tensors().isEmpty()) {
                session.loadHeadWeights(request.tensors());
            }
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
