package io.fedistill.algorithms.globalstudent;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.algorithms.common.PublicDistillationLearner;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.ml.model.ModelSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A global student on the coordinator, trained from participants' soft labels on public data.
 *
 * <p>Cross-device: small participant models upload soft labels; the coordinator aggregates them
 * with weights, trains its larger model on them and sends its own soft labels back as the teacher.
 * Cross-institution: each institution trains a local teacher; the coordinator trains one student on
 * {@code sum_i w_i KL(p_teacher_i ‖ p_student)}, which has the same gradient as KL from the
 * weighted mean of the teachers' distributions, and sends nothing back.
 */
public final class GlobalStudentAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "global-student";

    private static final List<String> OPTIONS =
            List.of(
                    "model",
                    "mode",
                    "subsetSize",
                    "serverEpochs",
                    "serverLearningRate",
                    "temperature",
                    "distillEpochs",
                    "distillLearningRate",
                    "distillWeight",
                    "weighting",
                    "secure");

    /** The messages its participants answer. */
    static final KnowledgeProtocol PROTOCOL = new KnowledgeProtocol(NAME);

    private final Settings settings;

    /**
     * The student's settings.
     *
     * @param student the coordinator's architecture
     * @param crossDevice whether the student's soft labels go back to participants as their teacher
     * @param subsetSize public samples per round
     * @param serverEpochs student epochs over the subset per round
     * @param serverLearningRate the student's Adam learning rate
     * @param temperature distillation temperature on both sides
     * @param distillEpochs participants' epochs over the subset (cross-device)
     * @param distillLearningRate participants' learning rate while distilling (0: their training
     *     rate)
     * @param distillWeight factor on participants' distillation loss per round (cross-device)
     * @param weighting how participants' soft labels are weighted
     */
    record Settings(
            ModelSpec student,
            boolean crossDevice,
            int subsetSize,
            int serverEpochs,
            double serverLearningRate,
            double temperature,
            int distillEpochs,
            double distillLearningRate,
            Schedule distillWeight,
            ParticipantWeighting weighting) {}

    private GlobalStudentAlgorithm(Settings settings) {
        this.settings = settings;
    }

    /**
     * Creates the algorithm from its options: {@code model} (required, e.g. {@code cnn}), {@code
     * mode} ({@code cross-device} or {@code cross-institution}), {@code subsetSize} (1000), {@code
     * serverEpochs} (2), {@code serverLearningRate} (0.001), {@code temperature} (1), {@code
     * distillEpochs} (1), {@code distillLearningRate} (0), {@code distillWeight} (1, or a
     * schedule), {@code weighting} (uniform).
     */
    public static GlobalStudentAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, OPTIONS);
        read.refuseSecure(
                "the student needs: each teacher's soft labels, weighted per teacher by the"
                        + " coordinator");
        ModelSpec student =
                read.getParsed("model", "the student's architecture, e.g. cnn", ModelSpec::parse);
        String mode =
                read.getString(
                        "mode", "cross-device", List.of("cross-device", "cross-institution"));
        return new GlobalStudentAlgorithm(
                new Settings(
                        student,
                        mode.equals("cross-device"),
                        read.getInt("subsetSize", 1000, 1, 10_000_000),
                        read.getInt("serverEpochs", 2, 1, 1000),
                        read.getDouble("serverLearningRate", 0.001, 1e-7, 10),
                        read.getDouble("temperature", 1, 1e-3, 1e3),
                        read.getInt("distillEpochs", 1, 1, 1000),
                        read.getDouble("distillLearningRate", 0, 0, 10),
                        read.getSchedule("distillWeight", 1, 0, 1e3),
                        read.getWeighting("weighting")));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        setup.requirePublicData(NAME, settings.subsetSize());
    }

    @Override
    public Optional<ModelSpec> coordinatorModel(FederationSetup setup) {
        return Optional.of(settings.student());
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return new StudentStrategy(
                setup, settings, LocalModel.initialWeights(setup, settings.student()));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PublicDistillationLearner.create(setup, runSeed, NAME, PROTOCOL);
    }
}
