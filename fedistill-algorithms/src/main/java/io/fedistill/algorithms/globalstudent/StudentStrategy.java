package io.fedistill.algorithms.globalstudent;

import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Optional;

/**
 * The coordinator of a global student: collects participants' soft labels on the round's public
 * subset, trains its own model toward their weighted mean, and in the cross-device mode sends the
 * student's soft labels back for participants to distill.
 */
final class StudentStrategy implements Strategy {
    private final FederationSetup setup;
    private final GlobalStudentAlgorithm.Settings settings;
    private final PublicData publicData;
    private TensorRecord student;

    StudentStrategy(
            FederationSetup setup, GlobalStudentAlgorithm.Settings settings, TensorRecord initial) {
        this.setup = setup;
        this.settings = settings;
        this.publicData = setup.requirePublicData(GlobalStudentAlgorithm.NAME);
        this.student = initial;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        int classes = setup.numClasses();
        KnowledgeProtocol.Collected collected =
                GlobalStudentAlgorithm.PROTOCOL.requestScores(
                        context,
                        fleet,
                        settings.subsetSize(),
                        KnowledgeProtocol.Scores.PROBABILITIES,
                        true,
                        settings.weighting(),
                        classes);
        if (collected.participants().isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        float[][] targets = collected.weightedMean();
        int[] subset = publicData.subset(context.seed("public-subset"), settings.subsetSize());
        TrainingSettings training =
                new TrainingSettings(
                        OptimizerKind.ADAM,
                        (float) settings.serverLearningRate(),
                        0f,
                        setup.training().batchSize(),
                        1,
                        0f);
        float[][] studentLabels;
        double loss;
        try (ModelSession session =
                ModelSession.open(
                        settings.student(),
                        setup.imageShape(),
                        classes,
                        training,
                        Optional.of(student),
                        0)) {
            loss =
                    session.distill(
                            publicData.pool(),
                            subset,
                            targets,
                            (float) settings.temperature(),
                            settings.serverEpochs(),
                            1f,
                            context.seed("student"));
            student = session.weights();
            studentLabels =
                    SoftLabels.softmax(
                            session.predict(publicData.pool(), subset), settings.temperature());
        }
        int distilled = 0;
        if (settings.crossDevice()) {
            distilled =
                    fleet.exchange(
                                    GlobalStudentAlgorithm.PROTOCOL.distillRequests(
                                            context,
                                            collected.participants(),
                                            studentLabels,
                                            new KnowledgeProtocol.DistillStep(
                                                    false,
                                                    settings.temperature(),
                                                    settings.distillEpochs(),
                                                    false,
                                                    settings.distillLearningRate(),
                                                    settings.distillWeight()
                                                            .valueAt(
                                                                    context.round(),
                                                                    context.totalRounds()))),
                                    ReplySpec.metricsOnly("distill_loss"))
                            .replies()
                            .size();
        }
        return Metrics.of(
                "participants_aggregated",
                collected.participants().size(),
                "participants_distilled",
                distilled,
                "student_loss",
                Double.isNaN(loss) ? 0 : loss,
                "target_entropy",
                SoftLabels.meanEntropy(targets));
    }

    @Override
    public Optional<TensorRecord> globalModel() {
        return Optional.of(student);
    }

    @Override
    public boolean participantsRunGlobalModel() {
        return false;
    }

    @Override
    public TensorRecord snapshot() {
        return student;
    }

    @Override
    public void restore(TensorRecord snapshot) {
        student = student.requireSameLayout(snapshot, "student");
    }
}
