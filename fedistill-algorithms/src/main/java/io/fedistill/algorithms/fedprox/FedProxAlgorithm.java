package io.fedistill.algorithms.fedprox;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.fedavg.FedAvgAlgorithm;
import java.util.List;
import java.util.Map;

/**
 * FedProx (Li et al. 2020): FedAvg's exchange, with participants minimizing their loss plus {@code
 * mu / 2 * ||w - w_global||^2} so that skewed participants drift less.
 */
public final class FedProxAlgorithm {
    /** The name used in configs. */
    public static final String NAME = "fedprox";

    /** Default proximal weight. */
    public static final double DEFAULT_MU = 0.01;

    private FedProxAlgorithm() {}

    /** Creates FedProx from its options ({@code mu}, default 0.01). */
    public static FedAvgAlgorithm fromOptions(Map<String, Object> options) {
        AlgorithmOptions read = new AlgorithmOptions(NAME, options, List.of("mu"));
        return FedAvgAlgorithm.withProximalTerm(NAME, read.getDouble("mu", DEFAULT_MU, 0, 1e6));
    }
}
