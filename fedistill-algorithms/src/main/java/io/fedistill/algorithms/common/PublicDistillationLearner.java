package io.fedistill.algorithms.common;

import static io.fedistill.algorithms.common.KnowledgeProtocol.*;

import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import io.fedistill.ml.train.TrainingSettings;

/**
 * The participant half of public-data distillation (FedMD, DS-FL, the global student): learns the
 * labeled public set (FedMD's transfer phase), trains on private data, predicts class scores on the
 * public subset a request names, and distills the aggregated targets it is sent; one handler per
 * {@link KnowledgeProtocol} message type.
 */
public final class PublicDistillationLearner {
    private final LocalModel local;
    private final ParticipantSetup setup;
    private final PublicData publicData;
    private final long runSeed;

    private PublicDistillationLearner(ParticipantSetup setup, long runSeed, String algorithm) {
        this.setup = setup;
        this.local = new LocalModel(setup, runSeed);
        this.publicData =
                setup.publicData()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                algorithm
                                                        + " distills on public data; declare publicData in the experiment"));
        this.runSeed = runSeed;
    }

    /**
     * Returns the learner of one participant.
     *
     * @param setup the participant's setup; it must hold public data
     * @param runSeed the run seed
     * @param algorithm the algorithm's name, for the error when public data is missing
     * @param protocol the message types it answers
     */
    public static Learner create(
            ParticipantSetup setup, long runSeed, String algorithm, KnowledgeProtocol protocol) {
        PublicDistillationLearner learner =
                new PublicDistillationLearner(setup, runSeed, algorithm);
        return learner.local
                .learnerBuilder()
                .on(
                        protocol.transferType(),
                        (request, context) ->
                                learner.inSession(
                                        request, context, setup.training(), learner::transfer))
                .on(
                        protocol.predictType(),
                        (request, context) ->
                                learner.inSession(
                                        request, context, setup.training(), learner::predict))
                .on(
                        protocol.distillType(),
                        (request, context) -> {
                            double rate =
                                    request.config().has(DISTILL_LEARNING_RATE)
                                            ? request.config().getDouble(DISTILL_LEARNING_RATE)
                                            : 0;
                            TrainingSettings training =
                                    rate > 0
                                            ? setup.training().withLearningRate((float) rate)
                                            : setup.training();
                            return learner.inSession(request, context, training, learner::distill);
                        })
                .build();
    }

    /** One step on an open session of the participant's stored model. */
    private interface Step {
        Message apply(Message request, ModelSession session);
    }

    private Message inSession(
            Message request, ParticipantContext context, TrainingSettings training, Step step) {
        try (ModelSession session =
                local.open(context.state().load(LocalModel.WEIGHTS_KEY), training)) {
            Message reply = step.apply(request, session);
            context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
            return reply;
        }
    }

    private long seed(Message request, String purpose) {
        return Seeds.derive(runSeed, request.round(), setup.participantId(), purpose);
    }

    private TrainOutcome trainPrivate(Message request, ModelSession session) {
        return local.trainPrivate(session, LocalObjective.crossEntropy(), request.round());
    }

    private Message transfer(Message request, ModelSession session) {
        if (!publicData.labeled()) {
            throw new IllegalStateException(
                    "the transfer phase needs labeled public data (publicData.labeled: true)");
        }
        long epochs = request.config().getLong(TRANSFER_EPOCHS);
        for (int epoch = 0; epoch < epochs; epoch++) {
            session.train(
                    publicData.pool(),
                    publicData.indices(),
                    LocalObjective.crossEntropy(),
                    seed(request, "transfer-" + epoch));
        }
        TrainOutcome outcome = trainPrivate(request, session);
        return request.reply().optMetrics(Metrics.of("examples", outcome.examples())).build();
    }

    private Message predict(Message request, ModelSession session) {
        TrainOutcome outcome =
                request.config().getBoolean(TRAIN_FIRST, false)
                        ? trainPrivate(request, session)
                        : null;
        int[] subset =
                publicData.subset(
                        request.config().getLong(SUBSET_SEED),
                        (int) request.config().getLong(SUBSET_SIZE));
        float[][] logits = session.predict(publicData.pool(), subset);
        Scores kind = Scores.valueOf(request.config().getString(SCORES));
        float[][] scores = kind == Scores.PROBABILITIES ? SoftLabels.softmax(logits, 1.0) : logits;
        double validation = local.validationAccuracy(request, session);
        return request.reply()
                .optTensors(
                        TensorRecord.builder()
                                .put(KNOWLEDGE, matrix(scores), kind.role())
                                .put(LABEL_COUNTS, local.labelCounts(), TensorRole.COUNTS)
                                .build())
                .optMetrics(
                        Metrics.of(
                                "examples",
                                setup.split().trainIndices().length,
                                VALIDATION_ACCURACY,
                                validation,
                                "train_loss",
                                outcome == null || Double.isNaN(outcome.meanLoss())
                                        ? 0
                                        : outcome.meanLoss()))
                .build();
    }

    private Message distill(Message request, ModelSession session) {
        int[] subset =
                publicData.subset(
                        request.config().getLong(SUBSET_SEED),
                        (int) request.config().getLong(SUBSET_SIZE));
        float[][] targets = request.tensors().get(TARGETS).rows();
        if (targets.length != subset.length) {
            throw new IllegalArgumentException(
                    targets.length + " targets for a subset of " + subset.length);
        }
        float temperature = (float) request.config().getDouble(TEMPERATURE);
        float[][] probabilities =
                request.config().getBoolean(TARGETS_ARE_LOGITS, false)
                        ? SoftLabels.softmax(targets, temperature)
                        : targets;
        float weight =
                request.config().has(DISTILL_WEIGHT)
                        ? (float) request.config().getDouble(DISTILL_WEIGHT)
                        : 1f;
        double loss =
                weight <= 0
                        ? 0
                        : session.distill(
                                publicData.pool(),
                                subset,
                                probabilities,
                                temperature,
                                (int) request.config().getLong(DISTILL_EPOCHS),
                                weight,
                                seed(request, "distill"));
        if (request.config().getBoolean(REVISIT, false)) {
            trainPrivate(request, session);
        }
        return request.reply()
                .optMetrics(Metrics.of("distill_loss", Double.isNaN(loss) ? 0 : loss))
                .build();
    }
}
