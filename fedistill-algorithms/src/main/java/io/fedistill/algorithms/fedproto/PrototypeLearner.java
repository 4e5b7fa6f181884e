package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;

/**
 * The participant half of the prototype exchange (FedProto, FedTGP): trains its private model on
 * cross-entropy plus lambda times the mean squared distance between each sample's features and its
 * class's global prototype (once there are global prototypes), then uploads its per-class feature
 * means, computed in evaluation mode over its training split after training. With logit
 * distillation it also distills, label by label, toward the others' per-label mean logits the
 * request carries (FD's loss) and uploads its own per-label mean logits of the round's training
 * beside the prototypes. Evaluation requests that carry global prototypes are answered by
 * nearest-prototype inference, alone or combined with the head as the settings say; others by the
 * model's own head.
 */
public final class PrototypeLearner {
    private final FedProtoSettings settings;
    private final LocalModel local;
    private final int classes;
    private final int featureWidth;

    private PrototypeLearner(FedProtoSettings settings, ParticipantSetup setup, long runSeed) {
        this.settings = settings;
        this.local = new LocalModel(setup, runSeed);
        this.classes = setup.trainSet().numClasses();
        // measured once here, not per round: it builds and initializes a network
        this.featureWidth =
                Math.toIntExact(
                        ModelZoo.featureWidth(
                                setup.model(), setup.trainSet().imageShape(), classes));
    }

    /** Creates the participant's learner. */
    public static Learner create(FedProtoSettings settings, ParticipantSetup setup, long runSeed) {
        PrototypeLearner learner = new PrototypeLearner(settings, setup, runSeed);
        return Learner.builder()
                .on(PrototypeStrategy.trainType(settings.algorithm()), learner::train)
                .on(MessageType.EVALUATE, learner::evaluate)
                .build();
    }

    private Message train(Message request, ParticipantContext context) {
        LocalObjective objective = LocalObjective.crossEntropy();
        if (request.tensors().find(PerLabelMeans.FEATURES).isPresent()) {
            PerLabelMeans global = globalPrototypes(request.tensors());
            objective =
                    objective.withFeatureTeacher(
                            global.teacherRows(),
                            (float) request.config().getDouble(PrototypeStrategy.PROTOTYPE_WEIGHT));
        }
        boolean distillsLogits = request.config().has(PrototypeStrategy.LOGIT_ALPHA);
        TensorRecord teacher = request.tensors().section(PrototypeStrategy.TEACHER);
        if (distillsLogits && !teacher.isEmpty()) {
            objective =
                    objective.withLabelTeacher(
                            logitTeacher(teacher).teacherRows(),
                            (float) request.config().getDouble(PrototypeStrategy.LOGIT_ALPHA),
                            (float)
                                    request.config()
                                            .getDouble(PrototypeStrategy.LOGIT_TEMPERATURE));
        }
        try (ModelSession session = local.openStored(context)) {
            TrainOutcome outcome = local.trainPrivate(session, objective, request.round());
            context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
            TensorRecord.Builder upload =
                    TensorRecord.builder()
                            .putAll(PrototypeUpload.toRecord(localPrototypes(session)));
            if (distillsLogits) {
                upload.putSection(
                        PrototypeStrategy.LOGITS,
                        PerLabelMeans.fromSums(
                                        PerLabelMeans.LOGITS,
                                        outcome.perLabelLogitSums(),
                                        outcome.perLabelCounts(),
                                        classes)
                                .toRecord());
            }
            return request.reply()
                    .optTensors(upload.build())
                    .optMetrics(LocalModel.trainingMetrics(outcome))
                    .build();
        }
    }

    /** Per-class feature means over the training split, in evaluation mode. */
    private PerLabelMeans localPrototypes(ModelSession session) {
        ImageDataset train = local.setup().trainSet();
        int[] indices = local.setup().split().trainIndices();
        float[][] features = session.features(train, indices);
        int[] labels = train.labels(indices);
        float[][] sums = new float[classes][featureWidth];
        int[] counts = new int[classes];
        for (int i = 0; i < indices.length; i++) {
            counts[labels[i]]++;
            for (int k = 0; k < featureWidth; k++) {
                sums[labels[i]][k] += features[i][k];
            }
        }
        return PerLabelMeans.fromSums(PerLabelMeans.FEATURES, sums, counts, featureWidth);
    }

    private Message evaluate(Message request, ParticipantContext context) {
        if (request.tensors().isEmpty()) {
            return local.evaluate(request, context);
        }
        NearestPrototype nearest =
                new NearestPrototype(
                        globalPrototypes(request.tensors()),
                        settings.inference() == FedProtoSettings.Inference.COMBINED);
        return local.evaluate(
                request, context.state().load(LocalModel.WEIGHTS_KEY), nearest::score);
    }

    /** Reads the others' per-label mean logits, refusing a table that is not classes x classes. */
    private PerLabelMeans logitTeacher(TensorRecord teacher) {
        return fitting(
                PerLabelMeans.fromRecord(PerLabelMeans.LOGITS, teacher), "teacher logits", classes);
    }

    /**
     * Reads global prototypes, refusing a table of another shape than this participant's classes by
     * its feature width.
     */
    private PerLabelMeans globalPrototypes(TensorRecord tensors) {
        return fitting(
                PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, tensors),
                "global prototypes",
                featureWidth);
    }

    /** Returns {@code table} if it has a row of {@code width} per class, else fails naming both. */
    private PerLabelMeans fitting(PerLabelMeans table, String what, int width) {
        int rows = table.counts().length;
        int actual = table.means().length == 0 ? 0 : table.means()[0].length;
        if (rows != classes || actual != width) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s: %s of shape %d x %d do not fit this participant (%s); expected"
                                    + " %d x %d",
                            settings.algorithm(),
                            what,
                            rows,
                            actual,
                            local.setup().model(),
                            classes,
                            width));
        }
        return table;
    }
}
