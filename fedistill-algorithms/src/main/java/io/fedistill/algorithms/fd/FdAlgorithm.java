package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.MessageKind;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.List;
import java.util.Map;

/**
 * Federated Distillation (Jeong et al. 2018): participants upload per-label mean logits and
 * counts; each participant then distills, label by label, toward the count-weighted mean logits
 * of the other participants. Only C x C numbers travel, so architectures may differ.
 */
public final class FdAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "fd";
    static final String ALPHA = "alpha";
    static final String TEMPERATURE = "temperature";

    private final Schedule alpha;
    private final Schedule temperature;

    private FdAlgorithm(Schedule alpha, Schedule temperature) {
        this.alpha = alpha;
        this.temperature = temperature;
    }

    /**
     * Creates FD from its options: {@code alpha} (cross-entropy weight, default 0.5) and
     * {@code temperature} (default 2), each a number or a schedule such as
     * {@code {linear: [0.5, 1.0]}}, which moves weight from distillation to cross-entropy.
     */
    public static FdAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, List.of(ALPHA, TEMPERATURE));
        return new FdAlgorithm(read.getSchedule(ALPHA, 0.5, 0, 1), read.getSchedule(TEMPERATURE, 2.0, 1e-3, 1e3));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        return new FdStrategy(setup.numClasses(), alpha, temperature);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        return (request, context) -> {
            if (request.kind() == MessageKind.EVALUATE) {
                return local.evaluate(request, context);
            }
            LocalObjective objective = LocalObjective.crossEntropy();
            if (!request.tensors().isEmpty()) {
                PerLabelLogits teacher = PerLabelLogits.fromRecord(request.tensors());
                objective = objective.withLabelTeacher(teacher.teacherRows(),
                        (float) request.config().getDouble(ALPHA), (float) request.config().getDouble(TEMPERATURE));
            }
            try (ModelSession session = local.openStored(context)) {
                TrainOutcome outcome = session.train(setup.trainSet(), setup.split().trainIndices(), objective,
                        local.trainingSeed(request.round()));
                context.state().save(LocalModel.WEIGHTS_KEY, session.weights());
                PerLabelLogits upload = PerLabelLogits.fromSums(outcome.perLabelLogitSums(), outcome.perLabelCounts());
                return request.reply().optTensors(upload.toRecord())
                        .optMetrics(Metrics.of("examples", outcome.examples(),
                                "train_loss", outcome.examples() == 0 ? 0 : outcome.meanLoss()))
                        .build();
            }
        };
    }
}
