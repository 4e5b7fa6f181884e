package io.fedistill.algorithms.common;

import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.core.coordinator.EvaluationProtocol;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.MessageHandler;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.eval.EvaluationScore;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Optional;

/**
 * A participant's model as the learners use it: opened from given or stored weights (or a seeded
 * initialization shared by every participant of the same architecture), trained, evaluated and
 * stored again.
 */
public final class LocalModel {
    /** The state key under which a participant's private weights are stored. */
    public static final String WEIGHTS_KEY = "weights";

    private final ParticipantSetup setup;
    private final long runSeed;

    /** Creates the helper for one participant of a run. */
    public LocalModel(ParticipantSetup setup, long runSeed) {
        this.setup = setup;
        this.runSeed = runSeed;
    }

    /** Returns the participant's setup. */
    public ParticipantSetup setup() {
        return setup;
    }

    /**
     * Opens a session on the given weights, or on the seeded initial weights of this participant's
     * architecture when empty.
     */
    public ModelSession open(Optional<TensorRecord> weights) {
        return open(weights, setup.training());
    }

    /**
     * Opens a session of another architecture than the participant's own (FML's copy of the global
     * model) on the given weights, or on that architecture's seeded initial weights when empty.
     */
    public ModelSession open(ModelSpec spec, Optional<TensorRecord> weights) {
        return ModelSession.open(
                spec,
                setup.trainSet().imageShape(),
                setup.trainSet().numClasses(),
                setup.training(),
                weights,
                initSeed(runSeed, spec));
    }

    /** Opens a session as {@link #open(Optional)} does, with other training settings. */
    public ModelSession open(Optional<TensorRecord> weights, TrainingSettings training) {
        return ModelSession.open(
                setup.model(),
                setup.trainSet().imageShape(),
                setup.trainSet().numClasses(),
                training,
                weights,
                initSeed(runSeed, setup.model()));
    }

    /**
     * Returns the seeded initial weights of an architecture: what every participant of that
     * architecture starts from, and FedAvg's first global model.
     */
    public static TensorRecord initialWeights(FederationSetup federation, ModelSpec spec) {
        return ModelSession.initialWeights(
                spec,
                federation.imageShape(),
                federation.numClasses(),
                initSeed(federation.seed(), spec));
    }

    /** Returns the seeded initial weights of this participant's architecture. */
    public TensorRecord initialWeights() {
        return initialWeights(setup.model());
    }

    /**
     * Returns the seeded initial weights of an architecture, as every participant computes them
     * (FML's global model, whose first weights a coordinator without model code asks for).
     */
    public TensorRecord initialWeights(ModelSpec spec) {
        return ModelSession.initialWeights(
                spec,
                setup.trainSet().imageShape(),
                setup.trainSet().numClasses(),
                initSeed(runSeed, spec));
    }

    private static long initSeed(long runSeed, ModelSpec spec) {
        return Seeds.derive(runSeed, 0, "", "init:" + spec);
    }

    /** Opens a session on the participant's stored private weights (or initial weights). */
    public ModelSession openStored(ParticipantContext context) {
        return open(context.state().load(WEIGHTS_KEY));
    }

    /** Returns the participant's number of training examples per class, as weighting reports it. */
    public Tensor labelCounts() {
        int classes = setup.trainSet().numClasses();
        float[] counts = new float[classes];
        for (int label : setup.trainSet().labels(setup.split().trainIndices())) {
            counts[label]++;
        }
        return Tensor.wrap(new int[] {classes}, counts);
    }

    /**
     * Returns the session's accuracy on the participant's held-out split when the request asks for
     * it ({@link KnowledgeProtocol#WANT_VALIDATION}, for validation-accuracy weighting), and 0 when
     * it does not or the split is empty.
     */
    public double validationAccuracy(Message request, ModelSession session) {
        if (!request.config().getBoolean(KnowledgeProtocol.WANT_VALIDATION, false)) {
            return 0;
        }
        double accuracy =
                session.evaluate(setup.trainSet(), setup.split().localTestIndices()).accuracy();
        return Double.isNaN(accuracy) ? 0 : accuracy;
    }

    /** Trains the session on the participant's private training split, seeded for the round. */
    public TrainOutcome trainPrivate(ModelSession session, LocalObjective objective, int round) {
        return session.train(
                setup.trainSet(), setup.split().trainIndices(), objective, trainingSeed(round));
    }

    /**
     * Returns what every training reply reports: the examples trained on and the mean training loss
     * (0 when there were none).
     */
    public static Metrics trainingMetrics(TrainOutcome outcome) {
        return Metrics.of(
                "examples",
                outcome.examples(),
                "train_loss",
                outcome.examples() == 0 ? 0 : outcome.meanLoss());
    }

    /**
     * Returns {@link #trainingMetrics} plus the session's {@link #validationAccuracy}: what a
     * training reply reports when the coordinator may weigh its upload by that accuracy.
     */
    public Metrics trainingMetricsWithValidation(
            TrainOutcome outcome, Message request, ModelSession session) {
        return trainingMetrics(outcome)
                .with(KnowledgeProtocol.VALIDATION_ACCURACY, validationAccuracy(request, session));
    }

    /** Returns the seed of this participant's local training in a round. */
    public long trainingSeed(int round) {
        return Seeds.derive(runSeed, round, setup.participantId(), "train");
    }

    /**
     * Returns a learner that answers evaluation requests with {@link #evaluate} and requests of
     * {@code type} with {@code training}: the shape of every one-step learner built on a local
     * model.
     */
    public Learner learner(MessageType type, MessageHandler training) {
        return learnerBuilder().on(type, training).build();
    }

    /**
     * Returns a learner builder that already answers evaluation requests with {@link #evaluate},
     * for learners with several steps.
     */
    public Learner.Builder learnerBuilder() {
        return Learner.builder().on(MessageType.EVALUATE, this::evaluate);
    }

    /** Scores an open model session on some samples of a dataset. */
    @FunctionalInterface
    public interface Scorer {
        /** Returns the session's score on the samples. */
        EvaluationScore score(ModelSession session, ImageDataset data, int[] indices);
    }

    /**
     * Answers an evaluation request: scores the weights it carries, or the stored private model
     * when it carries none, on the common test set (where the participant holds it) and on the
     * local test split. A score that has no samples to come from is left out of the reply.
     */
    public Message evaluate(Message request, ParticipantContext context) {
        Optional<TensorRecord> weights =
                request.tensors().isEmpty()
                        ? context.state().load(WEIGHTS_KEY)
                        : Optional.of(request.tensors());
        return evaluate(request, weights, ModelSession::evaluate);
    }

    /**
     * Answers an evaluation request as {@link #evaluate(Message, ParticipantContext)} does, scoring
     * the given weights with {@code scorer} (FedProto's nearest global prototype, say).
     */
    public Message evaluate(Message request, Optional<TensorRecord> weights, Scorer scorer) {
        return evaluate(request, setup.model(), weights, scorer);
    }

    /**
     * Answers an evaluation request by scoring weights of another architecture than the
     * participant's own (the teacher-to-student pipeline's teacher).
     */
    public Message evaluate(
            Message request, ModelSpec spec, Optional<TensorRecord> weights, Scorer scorer) {
        try (ModelSession session = open(spec, weights)) {
            return evaluate(request, session, scorer);
        }
    }

    /**
     * Answers an evaluation request by scoring a model already open (the participant's own with a
     * global head put on, say) on the test set, if any, and on the local test split.
     */
    public Message evaluate(Message request, ModelSession session, Scorer scorer) {
        Optional<EvaluationScore> test =
                setup.testSet().map(set -> scorer.score(session, set, set.allIndices()));
        EvaluationScore local =
                scorer.score(session, setup.trainSet(), setup.split().localTestIndices());
        Metrics metrics = Metrics.empty();
        if (test.isPresent()) {
            metrics =
                    metrics.with(EvaluationProtocol.TEST_ACCURACY, test.get().accuracy())
                            .with(EvaluationProtocol.TEST_LOSS, test.get().loss())
                            .with(
                                    EvaluationProtocol.TEST_PREDICTED_CLASSES,
                                    test.get().predictedClasses());
        }
        // a participant without a local split reports the test set's score as its local one
        Optional<EvaluationScore> localOrTest = local.samples() > 0 ? Optional.of(local) : test;
        if (localOrTest.isPresent()) {
            metrics =
                    metrics.with(EvaluationProtocol.LOCAL_ACCURACY, localOrTest.get().accuracy())
                            .with(EvaluationProtocol.LOCAL_LOSS, localOrTest.get().loss())
                            // the test set's score stands in, but is no local split to pool
                            .with(EvaluationProtocol.LOCAL_SAMPLES, local.samples());
        }
        return request.reply().optMetrics(metrics).build();
    }
}
