package io.fedistill.algorithms.fedprox;

import io.fedistill.algorithms.fedavg.FedAvgAlgorithm;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import java.util.Map;

/**
 * FedProx (Li et al. 2020): FedAvg's exchange, with participants minimizing their loss plus {@code
 * mu / 2 * ||w - w_global||^2} so that skewed participants drift less.
 */
public final class FedProxAlgorithm {
    /** The name used in configs. */
    public static final String NAME = WeightAveragingSettings.FEDPROX;

    private FedProxAlgorithm() {}

    /** Creates FedProx from its options ({@code mu}, default 0.01). */
    public static FedAvgAlgorithm fromOptions(Map<String, Object> options) {
        return new FedAvgAlgorithm(WeightAveragingSettings.fedProx(options));
    }
}
