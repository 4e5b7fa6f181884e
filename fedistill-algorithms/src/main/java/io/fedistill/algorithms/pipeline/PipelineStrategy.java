package io.fedistill.algorithms.pipeline;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pipeline's coordinator: rounds {@code 1..teacherRounds} run the teacher's FedAvg, the next
 * {@code studentRounds} the student's (each round first handing the final teacher to the selected
 * participants that do not hold it yet), and the remaining rounds ask participants to fine-tune
 * their copy of the final student on their own data. The strategy metric {@code stage} says which.
 */
final class PipelineStrategy implements Strategy {
    static final MessageType HANDOVER = MessageType.of(PipelineAlgorithm.NAME, "teacher");
    static final MessageType FINE_TUNE = MessageType.of(PipelineAlgorithm.NAME, "fine-tune");

    private static final String TEACHER = "teacher";
    private static final String STUDENT = "student";
    private static final String HOLDERS = "holders";

    private final PipelineSettings settings;
    private final Strategy teacher;
    private final Strategy student;
    private final Set<String> holdTeacher = new TreeSet<>();
    private int lastRound;

    PipelineStrategy(PipelineSettings settings, Strategy teacher, Strategy student) {
        this.settings = settings;
        this.teacher = teacher;
        this.student = student;
    }

    /** Returns the stage of a round: 1 teacher, 2 student, 3 fine-tuning. */
    private int stage(int round) {
        if (round <= settings.teacherRounds()) {
            return 1;
        }
        return round <= settings.teacherRounds() + settings.studentRounds() ? 2 : 3;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        lastRound = context.round();
        int stage = stage(context.round());
        Metrics metrics;
        if (stage == 1) {
            metrics = teacher.runRound(context, fleet);
        } else if (stage == 2) {
            handOverTeacher(context, fleet);
            metrics = student.runRound(context, fleet);
        } else {
            metrics = fineTune(context, fleet);
        }
        return metrics.with("stage", stage);
    }

    /** Sends the final teacher to the selected participants that do not hold it yet. */
    private void handOverTeacher(RoundContext context, Fleet fleet) {
        TensorRecord finalTeacher = teacher.globalModel().orElseThrow();
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            if (!holdTeacher.contains(id)) {
                requests.add(
                        Message.builder(context.round(), HANDOVER, id)
                                .optTensors(finalTeacher)
                                .build());
            }
        }
        if (requests.isEmpty()) {
            return;
        }
        ExchangeResult result = fleet.exchange(requests, ReplySpec.metricsOnly());
        result.replies().forEach(reply -> holdTeacher.add(reply.participantId()));
    }

    /**
     * Asks the selected participants to fine-tune: the first fine-tuning round carries the final
     * student, which each participant then keeps training on its own data.
     */
    private Metrics fineTune(RoundContext context, Fleet fleet) {
        boolean first = context.round() == settings.teacherRounds() + settings.studentRounds() + 1;
        TensorRecord finalStudent = student.globalModel().orElseThrow();
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            requests.add(
                    Message.builder(context.round(), FINE_TUNE, id)
                            .optTensors(first ? finalStudent : TensorRecord.empty())
                            .optConfig(ConfigRecord.of())
                            .build());
        }
        ExchangeResult result = fleet.exchange(requests, ReplySpec.metricsOnly("examples"));
        return Metrics.of("participants_trained", result.replies().size());
    }

    /**
     * The model participants are scored with: the global teacher in stage 1, the global student in
     * stage 2, their own fine-tuned student (nothing sent) in stage 3.
     */
    @Override
    public TensorRecord evaluationPayload() {
        return switch (stage(lastRound)) {
            case 1 -> teacher.evaluationPayload();
            case 2 -> student.evaluationPayload();
            default -> TensorRecord.empty();
        };
    }

    @Override
    public TensorRecord snapshot() {
        TensorRecord.Builder snapshot =
                TensorRecord.builder()
                        .putSection(TEACHER, teacher.snapshot())
                        .putSection(STUDENT, student.snapshot());
        holdTeacher.forEach(id -> snapshot.put(HOLDERS + "/" + id, Tensor.vector(1)));
        return snapshot.build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        teacher.restore(snapshot.section(TEACHER));
        student.restore(snapshot.section(STUDENT));
        holdTeacher.clear();
        holdTeacher.addAll(snapshot.section(HOLDERS).names());
    }
}
