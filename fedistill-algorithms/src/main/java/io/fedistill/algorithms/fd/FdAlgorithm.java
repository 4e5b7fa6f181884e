package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Federated Distillation (Jeong et al. 2018): participants upload per-label mean logits and counts;
 * each participant then distills, label by label, toward the count-weighted mean logits of the
 * other participants. Only C x C numbers travel, so architectures may differ. An optional first
 * stage exchanges per-label feature prototypes instead and pulls features toward them.
 */
public final class FdAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "fd";

    private static final String ALPHA = FdStrategy.ALPHA;
    private static final String TEMPERATURE = FdStrategy.TEMPERATURE;
    private static final String STAGE = FdStrategy.STAGE;
    private static final String FEATURE_WEIGHT = FdStrategy.FEATURE_WEIGHT;

    private final Schedule alpha;
    private final Schedule temperature;
    private final int featureRounds;
    private final double featureWeight;
    private final ParticipantWeighting weighting;

    private FdAlgorithm(
            Schedule alpha,
            Schedule temperature,
            int featureRounds,
            double featureWeight,
            ParticipantWeighting weighting) {
        this.weighting = weighting;
        this.alpha = alpha;
        this.temperature = temperature;
        this.featureRounds = featureRounds;
        this.featureWeight = featureWeight;
    }

    /**
     * Creates FD from its options: {@code alpha} (cross-entropy weight, default 0.5) and {@code
     * temperature} (default 2), each a number or a schedule such as {@code {linear: [0.5, 1.0]}},
     * which moves weight from distillation to cross-entropy; {@code featureRounds} (default 0) and
     * {@code featureWeight} (default 1): multi-stage distillation that first aligns per-label
     * feature prototypes for that many rounds, then distills outputs. The feature stage needs every
     * participant's features equally wide (project them with {@code name@width} model specs).
     * {@code weighting} (default {@code class-counts}: the count-weighted per-label mean; {@code
     * uniform}, {@code examples}, {@code validation-accuracy}) weighs the others' rows of each
     * label.
     */
    public static FdAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        List.of(ALPHA, TEMPERATURE, "featureRounds", "featureWeight", "weighting"));
        return new FdAlgorithm(
                read.getSchedule(ALPHA, 0.5, 0, 1),
                read.getSchedule(TEMPERATURE, 2.0, 1e-3, 1e3),
                read.getInt("featureRounds", 0, 0, 1_000_000),
                read.getDouble("featureWeight", 1, 0, 1e6),
                read.getWeighting("weighting", ParticipantWeighting.CLASS_COUNTS));
    }

    @Override
    public void validate(FederationSetup setup) {
        if (featureRounds > 0) {
            featureWidth(setup);
        }
    }

    /** Returns the participants' common feature width, or fails naming the widths that differ. */
    private static int featureWidth(FederationSetup setup) {
        Map<ModelSpec, Long> widths = new LinkedHashMap<>();
        for (ModelSpec spec : setup.models().values()) {
            widths.computeIfAbsent(
                    spec, s -> ModelZoo.featureWidth(s, setup.imageShape(), setup.numClasses()));
        }
        if (new HashSet<>(widths.values()).size() > 1) {
            throw new IllegalArgumentException(
                    NAME
                            + "'s feature stage (featureRounds > 0) aligns feature "
                            + "prototypes, so every participant's features must be equally wide; got "
                            + widths
                            + "; give every model a common projection width, e.g. 'mlp@64', 'lenet@64', 'cnn:0.5@64'");
        }
        return Math.toIntExact(widths.values().iterator().next());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        // featureWidth is the validation: it fails when widths differ
        return new FdStrategy(
                setup.numClasses(),
                alpha,
                temperature,
                featureRounds,
                featureWeight,
                featureRounds > 0 ? featureWidth(setup) : 0,
                weighting);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        int classes = setup.trainSet().numClasses();
        // measured once here, not per round: it builds and initializes a network
        int featureWidth =
                featureRounds > 0
                        ? Math.toIntExact(
                                ModelZoo.featureWidth(
                                        setup.model(), setup.trainSet().imageShape(), classes))
                        : 0;
        return local.learner(
                FdStrategy.TRAIN,
                (request, context) -> {
                    boolean featureStage =
                            PerLabelMeans.FEATURES.equals(
                                    request.config().getString(STAGE, PerLabelMeans.LOGITS));
                    String kind = featureStage ? PerLabelMeans.FEATURES : PerLabelMeans.LOGITS;
                    LocalObjective objective = LocalObjective.crossEntropy();
                    if (!request.tensors().isEmpty()) {
                        PerLabelMeans teacher = PerLabelMeans.fromRecord(kind, request.tensors());
                        objective =
                                featureStage
                                        ? objective.withFeatureTeacher(
                                                teacher.teacherRows(),
                                                (float) request.config().getDouble(FEATURE_WEIGHT))
                                        : objective.withLabelTeacher(
                                                teacher.teacherRows(),
                                                (float) request.config().getDouble(ALPHA),
                                                (float) request.config().getDouble(TEMPERATURE));
                    }
                    try (ModelSession session = local.openStored(context)) {
                        TrainOutcome outcome =
                                local.trainPrivate(session, objective, request.round());
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
