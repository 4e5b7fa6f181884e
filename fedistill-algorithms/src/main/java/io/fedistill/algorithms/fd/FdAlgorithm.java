package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.secagg.SecureSum;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Federated Distillation (Jeong et al. 2018): participants upload per-label mean logits and counts;
 * each participant then distills, label by label, toward the count-weighted mean logits of the
 * other participants (or their median or trimmed mean, against bad uploads). Only C x C numbers
 * travel, so architectures may differ. An optional first stage exchanges per-label feature
 * prototypes instead and pulls features toward them.
 */
public final class FdAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = FdSettings.NAME;

    private final FdSettings settings;

    private FdAlgorithm(FdSettings settings) {
        this.settings = settings;
    }

    /** Creates FD from its options (see {@link FdSettings#fromOptions}). */
    public static FdAlgorithm fromOptions(Map<String, Object> options) {
        return new FdAlgorithm(FdSettings.fromOptions(options));
    }

    @Override
    public void validate(FederationSetup setup) {
        newStrategy(setup); // fails naming the widths when the feature stage cannot run
    }

    @Override
    public Optional<SecureSumSettings> secureSums() {
        return settings.secure();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        return settings.newStrategy(setup.numClasses(), setup.modelTexts(), setup::featureWidthOf);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return learnerBuilder(setup, runSeed, context -> TrainingData.privateSplit(setup)).build();
    }

    /**
     * What a participant of FD trains on in a round: a dataset and the samples of it, its private
     * training split unless something is added to it (FAug's generated samples).
     *
     * @param data the dataset
     * @param indices the samples to train on
     */
    public record TrainingData(ImageDataset data, int[] indices) {
        /** Returns the participant's private training split. */
        public static TrainingData privateSplit(ParticipantSetup setup) {
            return new TrainingData(setup.trainSet(), setup.split().trainIndices());
        }
    }

    /**
     * Returns a builder of FD's participant half that trains on what {@code data} gives for each
     * request (FAug adds its own exchanges to it).
     */
    public Learner.Builder learnerBuilder(
            ParticipantSetup setup, long runSeed, Function<ParticipantContext, TrainingData> data) {
        LocalModel local = new LocalModel(setup, runSeed);
        int classes = setup.trainSet().numClasses();
        // measured once here, not per round: it builds and initializes a network
        int featureWidth =
                settings.featureRounds() > 0
                        ? Math.toIntExact(
                                ModelZoo.featureWidth(
                                        setup.model(), setup.trainSet().imageShape(), classes))
                        : 0;
        return local.learnerBuilder()
                .on(
                        FdStrategy.TRAIN,
                        (request, context) -> {
                            boolean featureStage =
                                    PerLabelMeans.FEATURES.equals(
                                            request.config()
                                                    .getString(
                                                            FdStrategy.STAGE,
                                                            PerLabelMeans.LOGITS));
                            String kind =
                                    featureStage ? PerLabelMeans.FEATURES : PerLabelMeans.LOGITS;
                            LocalObjective objective = LocalObjective.crossEntropy();
                            boolean secure = request.config().has(SecureSum.WEIGHT);
                            if (!request.tensors().isEmpty()) {
                                PerLabelMeans teacher =
                                        PerLabelMeans.fromRecord(kind, request.tensors());
                                if (secure
                                        && request.config()
                                                .getBoolean(FdStrategy.SUBTRACT_OWN, false)) {
                                    // the global means hold this participant's upload of the round
                                    // they
                                    // summed: leave it out, if that is the upload kept here
                                    long meansRound =
                                            request.config().getLong(FdStrategy.MEANS_ROUND);
                                    Optional<TensorRecord> own =
                                            context.state()
                                                    .load(FdStrategy.OWN_UPLOAD + kind)
                                                    .filter(
                                                            o ->
                                                                    o.get(FdStrategy.OWN_ROUND)
                                                                                    .get(0)
                                                                            == meansRound);
                                    if (own.isPresent()) {
                                        teacher =
                                                teacher.without(
                                                        PerLabelMeans.fromRecord(kind, own.get()));
                                    }
                                }
                                objective =
                                        featureStage
                                                ? objective.withFeatureTeacher(
                                                        teacher.teacherRows(),
                                                        (float)
                                                                request.config()
                                                                        .getDouble(
                                                                                FdStrategy
                                                                                        .FEATURE_WEIGHT))
                                                : objective.withLabelTeacher(
                                                        teacher.teacherRows(),
                                                        (float)
                                                                request.config()
                                                                        .getDouble(
                                                                                FdStrategy.ALPHA),
                                                        (float)
                                                                request.config()
                                                                        .getDouble(
                                                                                FdStrategy
                                                                                        .TEMPERATURE));
                            }
                            try (ModelSession session = local.openStored(context)) {
                                TrainingData training = data.apply(context);
                                TrainOutcome outcome =
                                        session.train(
                                                training.data(),
                                                training.indices(),
                                                objective,
                                                local.trainingSeed(request.round()));
                                context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
                                PerLabelMeans upload =
                                        featureStage
                                                ? PerLabelMeans.fromSums(
                                                        kind,
                                                        outcome.perLabelFeatureSums(),
                                                        outcome.perLabelCounts(),
                                                        featureWidth)
                                                : PerLabelMeans.fromSums(
                                                        kind,
                                                        outcome.perLabelLogitSums(),
                                                        outcome.perLabelCounts(),
                                                        classes);
                                if (secure) {
                                    context.state()
                                            .save(
                                                    FdStrategy.OWN_UPLOAD + kind,
                                                    TensorRecord.builder()
                                                            .putAll(upload.toRecord())
                                                            .put(
                                                                    FdStrategy.OWN_ROUND,
                                                                    Tensor.vector(request.round()))
                                                            .build());
                                }
                                return request.reply()
                                        .optTensors(upload.toRecord())
                                        .optMetrics(
                                                local.trainingMetricsWithValidation(
                                                        outcome, request, session))
                                        .build();
                            }
                        });
    }
}
