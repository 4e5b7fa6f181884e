package io.fedistill.algorithms.fedavg;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of the weight-averaging exchange: FedAvg, or FedProx with its proximal weight.
 *
 * @param name the algorithm's name, which names its messages
 * @param mu the proximal weight (0 for FedAvg)
 * @param robust how the participants' weights are combined (FedAvg's example-weighted mean by
 *     default)
 */
public record WeightAveragingSettings(String name, double mu, RobustAggregation robust) {
    /** FedAvg's name in configs. */
    public static final String FEDAVG = "fedavg";

    /** FedProx's name in configs. */
    public static final String FEDPROX = "fedprox";

    /** FedProx's default proximal weight. */
    public static final double DEFAULT_MU = 0.01;

    /** Checks the proximal weight. */
    public WeightAveragingSettings {
        if (!(mu >= 0)) {
            throw new IllegalArgumentException(name + ": mu must be >= 0, got " + mu);
        }
        Objects.requireNonNull(robust, "robust");
    }

    /** Reads FedAvg's options: the robust aggregation rule ({@link AlgorithmOptions#getRobust}). */
    public static WeightAveragingSettings fedAvg(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(FEDAVG, options, AlgorithmOptions.ROBUST_OPTIONS);
        return new WeightAveragingSettings(FEDAVG, 0, read.getRobust());
    }

    /** Reads FedProx's options ({@code mu}, default 0.01, and the robust aggregation rule). */
    public static WeightAveragingSettings fedProx(Map<String, Object> options) {
        List<String> allowed = new ArrayList<>(AlgorithmOptions.ROBUST_OPTIONS);
        allowed.add("mu");
        AlgorithmOptions read = new AlgorithmOptions(FEDPROX, options, allowed);
        return new WeightAveragingSettings(
                FEDPROX, read.getDouble("mu", DEFAULT_MU, 0, 1e6), read.getRobust());
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
        return new WeightAveragingStrategy(name, initial, mu, robust);
    }
}
