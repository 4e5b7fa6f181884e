package io.fedistill.core.aggregate;

import java.util.Arrays;
import java.util.Locale;

/** The rule that combines participants' updates, named in configs: the mean or a robust rule. */
public enum RobustRule {
    /** The weighted mean: FedAvg's step, no defence against bad updates. */
    MEAN,
    /** The coordinate-wise median. */
    MEDIAN,
    /** The coordinate-wise mean after trimming a fraction of values from each end. */
    TRIMMED_MEAN,
    /** The single update closest to its neighbours (Blanchard et al., 2017). */
    KRUM,
    /** The mean of the several updates closest to their neighbours. */
    MULTI_KRUM;

    /** Returns the name used in configs, e.g. {@code trimmed-mean}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Returns the rule with this config name.
     *
     * @throws IllegalArgumentException naming the unknown rule and the known ones
     */
    public static RobustRule fromConfigName(String name) {
        return Arrays.stream(values())
                .filter(rule -> rule.configName().equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown aggregation rule '"
                                                + name
                                                + "'; known: "
                                                + Arrays.stream(values())
                                                        .map(RobustRule::configName)
                                                        .toList()));
    }
}
