package io.fedistill.algorithms.fedavg;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The settings of the weight-averaging exchange: FedAvg, FedProx with its proximal weight, or
 * LG-FedAvg, whose participants send and receive only their classifier heads.
 *
 * @param name the algorithm's name, which names its messages
 * @param mu the proximal weight (0 for FedAvg)
 * @param robust how the participants' weights are combined (FedAvg's example-weighted mean by
 *     default)
 * @param secure how the mean is summed by secure aggregation, if it is: the coordinator then sees
 *     no participant's weights
 * @param uniform whether every participant weighs the same (what differential privacy needs) rather
 *     than by its examples
 * @param participantsRunGlobalModel whether participants are scored with the global weights
 *     (FedAvg's model, LG-FedAvg's head), which evaluation requests then carry; false where they
 *     are scored on their own model (FML)
 */
public record WeightAveragingSettings(
        String name,
        double mu,
        RobustAggregation robust,
        Optional<SecureSumSettings> secure,
        boolean uniform,
        boolean participantsRunGlobalModel) {
    /** FedAvg's name in configs. */
    public static final String FEDAVG = "fedavg";

    /** FedProx's name in configs. */
    public static final String FEDPROX = "fedprox";

    /** LG-FedAvg's name in configs. */
    public static final String LG_FEDAVG = "lg-fedavg";

    /** FML's name in configs. */
    public static final String FML = "fml";

    /**
     * FML's own options, which {@link io.fedistill.algorithms.fml.FmlSettings} reads: the global
     * model, alpha and beta.
     */
    public static final List<String> FML_OPTIONS = List.of("model", "alpha", "beta");

    /** The options of the exchange itself, which every algorithm on it reads. */
    public static final List<String> OPTIONS =
            Stream.concat(
                            Stream.of("weighting"),
                            Stream.concat(
                                    AlgorithmOptions.ROBUST_OPTIONS.stream(),
                                    AlgorithmOptions.SECURE_OPTIONS.stream()))
                    .toList();

    /** FedProx's default proximal weight. */
    public static final double DEFAULT_MU = 0.01;

    /** Checks the proximal weight. */
    public WeightAveragingSettings {
        if (!(mu >= 0)) {
            throw new IllegalArgumentException(name + ": mu must be >= 0, got " + mu);
        }
        Objects.requireNonNull(robust, "robust");
        AlgorithmOptions.refuseRobustUnderSecure(name, robust, secure, "weights");
    }

    /**
     * Reads FedAvg's options: the robust aggregation rule ({@link AlgorithmOptions#getRobust}) or
     * secure aggregation ({@link AlgorithmOptions#getSecure}).
     */
    public static WeightAveragingSettings fedAvg(Map<String, Object> options) {
        return read(FEDAVG, options, List.of(), true);
    }

    /**
     * Reads LG-FedAvg's options, FedAvg's: the heads are averaged as FedAvg averages whole models.
     */
    public static WeightAveragingSettings lgFedAvg(Map<String, Object> options) {
        return read(LG_FEDAVG, options, List.of(), true);
    }

    /**
     * Reads the options of FML's shared model, FedAvg's, allowing FML's own ({@link #FML_OPTIONS}),
     * which {@link io.fedistill.algorithms.fml.FmlSettings} reads; FML's participants are scored on
     * their private models.
     */
    public static WeightAveragingSettings fml(Map<String, Object> options) {
        return read(FML, options, FML_OPTIONS, false);
    }

    /**
     * Returns plain FedAvg under another name (example-weighted mean, participants run the global
     * model): a stage of an algorithm built from several exchanges, such as the teacher-to-student
     * pipeline's teacher and student.
     */
    public static WeightAveragingSettings plain(String name) {
        return new WeightAveragingSettings(
                name, 0, RobustAggregation.mean(), Optional.empty(), false, true);
    }

    /** Reads FedProx's options: FedAvg's and {@code mu} (default 0.01). */
    public static WeightAveragingSettings fedProx(Map<String, Object> options) {
        return read(FEDPROX, options, List.of("mu"), true);
    }

    private static WeightAveragingSettings read(
            String name,
            Map<String, Object> options,
            List<String> own,
            boolean participantsRunGlobalModel) {
        List<String> allowed = new ArrayList<>(own);
        allowed.addAll(OPTIONS);
        AlgorithmOptions read = new AlgorithmOptions(name, options, allowed);
        return new WeightAveragingSettings(
                name,
                own.contains("mu") ? read.getDouble("mu", DEFAULT_MU, 0, 1e6) : 0,
                read.getRobust(),
                read.getSecure(),
                read.getString("weighting", "examples", List.of("examples", "uniform"))
                        .equals("uniform"),
                participantsRunGlobalModel);
    }

    /** Checks that every participant runs the same architecture, which averaging needs. */
    public void validate(Collection<?> models) {
        if (new HashSet<>(models).size() > 1) {
            throw new IllegalArgumentException(
                    name
                            + " averages weights, so every participant needs the same "
                            + "architecture; got "
                            + models);
        }
    }

    /**
     * Creates the coordinator half.
     *
     * @param initial the first global model; empty to take a participant's initial weights
     */
    public Strategy newStrategy(Optional<TensorRecord> initial) {
        return new WeightAveragingStrategy(this, initial);
    }
}
