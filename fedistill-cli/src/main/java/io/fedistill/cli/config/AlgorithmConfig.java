package io.fedistill.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmRegistry;
import java.util.Map;

/**
 * One algorithm of an experiment, with its options and optionally its own model assignment, codec,
 * simulated attack and privacy, each replacing the experiment's for this algorithm alone: one run
 * can then compare codecs, attacks or noise levels side by side in one table and one chart.
 *
 * @param name a registered algorithm name
 * @param label how it is named in tables and plots (default: the name)
 * @param options algorithm-specific options
 * @param models a model assignment replacing the experiment's for this algorithm (optional)
 * @param codec a codec spec replacing the experiment's (optional; canonical once built)
 * @param attack simulated attackers replacing the experiment's (optional)
 * @param privacy differential privacy replacing the experiment's (optional)
 */
public record AlgorithmConfig(
        String name,
        String label,
        Map<String, Object> options,
        JsonNode models,
        @JsonDeserialize(using = CodecSpecDeserializer.class) String codec,
        SimulatedAttackConfig attack,
        PrivacyConfig privacy) {
    /** The longest algorithm label: it heads table rows and plot legends. */
    public static final int MAX_LABEL_LENGTH = 64;

    /** Applies defaults and checks that the algorithm and its options exist. */
    public AlgorithmConfig {
        if (name == null) {
            throw new ConfigException(
                    "algorithms[].name is required; allowed: "
                            + AlgorithmRegistry.entries().stream()
                                    .map(AlgorithmRegistry.Entry::name)
                                    .toList());
        }
        label = label == null ? name : label;
        options = options == null ? Map.of() : Map.copyOf(options);
        models = models == null || models.isNull() ? null : models;
        try {
            AlgorithmRegistry.create(name, options);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("algorithms." + label + ": " + e.getMessage(), e);
        }
        if (label.isBlank()
                || label.length() > MAX_LABEL_LENGTH
                || !label.matches("[^\\p{Cntrl},]+")) {
            throw new ConfigException(
                    "algorithms[].label must be 1 to "
                            + MAX_LABEL_LENGTH
                            + " characters without commas or control characters (it heads table"
                            + " rows, CSV cells and plot legends), got "
                            + (label.length() > MAX_LABEL_LENGTH
                                    ? "one of " + label.length() + " characters"
                                    : "'" + label + "'"));
        }
        if (privacy != null && name.equals("local-only")) {
            throw new ConfigException(
                    "algorithms."
                            + label
                            + ".privacy: local-only uploads nothing, so there is nothing to make"
                            + " private; drop it");
        }
        codec =
                codec == null
                        ? null
                        : ExperimentConfig.canonicalCodec("algorithms." + label + ".", codec);
    }

    /** Creates the algorithm. */
    public Algorithm create() {
        return AlgorithmRegistry.create(name, options);
    }
}
