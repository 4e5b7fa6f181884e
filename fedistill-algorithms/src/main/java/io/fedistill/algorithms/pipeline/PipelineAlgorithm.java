package io.fedistill.algorithms.pipeline;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import io.fedistill.algorithms.fedavg.WeightAveragingStrategy;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.Map;
import java.util.Optional;

/**
 * The federated teacher-to-student pipeline as one algorithm of three stages: (1) FedAvg of a large
 * teacher; (2) every participant receives the final teacher once and computes its soft labels on
 * its own training data, and a small student (the participants' own architecture) is trained by
 * FedAvg on {@code alpha * CE + (1 - alpha) * T^2 * KL(teacher ‖ student)}; (3) each participant
 * fine-tunes its copy of the final student on its own data. Participants are scored with the global
 * teacher in stage 1, the global student in stage 2 and their fine-tuned students in stage 3, so
 * each stage's accuracy is in the same run's metrics ({@code stage} says which).
 */
public final class PipelineAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "kd-pipeline";

    private static final String TEACHER_KEY = "teacher";

    private final PipelineSettings settings;

    private PipelineAlgorithm(PipelineSettings settings) {
        this.settings = settings;
    }

    /** Creates the pipeline from its options (see {@link PipelineSettings#fromOptions}). */
    public static PipelineAlgorithm fromOptions(Map<String, Object> options) {
        return new PipelineAlgorithm(PipelineSettings.fromOptions(options));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The student is averaged, so every participant runs one architecture. */
    @Override
    public void validate(FederationSetup setup) {
        if (setup.modelTexts().size() > 1) {
            throw new IllegalArgumentException(
                    NAME
                            + " averages one student architecture (the participants' models) and"
                            + " one teacher ("
                            + settings.teacher()
                            + "); got students "
                            + setup.modelTexts());
        }
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        ModelSpec studentSpec = setup.models().values().iterator().next();
        return new PipelineStrategy(
                settings,
                WeightAveragingSettings.plain(NAME + "-teacher")
                        .newStrategy(
                                Optional.of(LocalModel.initialWeights(setup, settings.teacher()))),
                WeightAveragingSettings.plain(NAME + "-student")
                        .newStrategy(Optional.of(LocalModel.initialWeights(setup, studentSpec))));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        TensorRecord teacherShapes = local.initialWeights(settings.teacher());
        return Learner.builder()
                .on(
                        WeightAveragingStrategy.trainType(NAME + "-teacher"),
                        (request, context) -> {
                            try (ModelSession teacher =
                                    local.open(
                                            settings.teacher(), Optional.of(request.tensors()))) {
                                return trained(
                                        request,
                                        teacher,
                                        local.trainPrivate(
                                                teacher,
                                                LocalObjective.crossEntropy(),
                                                request.round()));
                            }
                        })
                .on(
                        PipelineStrategy.HANDOVER,
                        (request, context) -> {
                            context.state().save(TEACHER_KEY, request.tensors());
                            return request.reply().build();
                        })
                .on(
                        WeightAveragingStrategy.trainType(NAME + "-student"),
                        (request, context) -> {
                            LocalObjective objective = LocalObjective.crossEntropy();
                            Optional<TensorRecord> teacherWeights =
                                    context.state().load(TEACHER_KEY);
                            if (teacherWeights.isPresent()) {
                                float[][] soft;
                                try (ModelSession teacher =
                                        local.open(settings.teacher(), teacherWeights)) {
                                    soft =
                                            teacher.predict(
                                                    setup.trainSet(), setup.split().trainIndices());
                                }
                                objective =
                                        objective.withSampleTeacher(
                                                soft, settings.alpha(), settings.temperature());
                            }
                            try (ModelSession student =
                                    local.open(Optional.of(request.tensors()))) {
                                return trained(
                                        request,
                                        student,
                                        local.trainPrivate(student, objective, request.round()));
                            }
                        })
                .on(
                        PipelineStrategy.FINE_TUNE,
                        (request, context) -> {
                            try (ModelSession student =
                                    request.tensors().isEmpty()
                                            ? local.openStored(context)
                                            : local.open(Optional.of(request.tensors()))) {
                                TrainOutcome outcome =
                                        local.trainPrivate(
                                                student,
                                                LocalObjective.crossEntropy(),
                                                request.round());
                                context.state().save(LocalModel.WEIGHTS_KEY, student.weights());
                                return request.reply()
                                        .optMetrics(LocalModel.trainingMetrics(outcome))
                                        .build();
                            }
                        })
                .on(
                        MessageType.EVALUATE,
                        (request, context) ->
                                isTeacher(request.tensors(), teacherShapes)
                                        ? local.evaluate(
                                                request,
                                                settings.teacher(),
                                                Optional.of(request.tensors()),
                                                ModelSession::evaluate)
                                        : local.evaluate(request, context))
                .build();
    }

    private static Message trained(Message request, ModelSession session, TrainOutcome outcome) {
        return request.reply()
                .optTensors(session.weights())
                .optMetrics(LocalModel.trainingMetrics(outcome))
                .build();
    }

    /** Whether weights have the teacher's tensor names and shapes. */
    private static boolean isTeacher(TensorRecord weights, TensorRecord teacherShapes) {
        if (weights.isEmpty() || !weights.names().equals(teacherShapes.names())) {
            return false;
        }
        for (String name : weights.names()) {
            if (!weights.get(name).hasShape(teacherShapes.get(name).shape())) {
                return false;
            }
        }
        return true;
    }
}
