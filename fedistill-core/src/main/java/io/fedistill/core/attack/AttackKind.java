package io.fedistill.core.attack;

import java.util.Arrays;
import java.util.Locale;

/** What a simulated bad participant does, named in configs. */
public enum AttackKind {
    /** Trains on flipped labels, {@code y -> C - 1 - y}; the upload itself is left as trained. */
    LABEL_FLIPPING,
    /**
     * Replaces score tables (rank-2 logits and probabilities, a row per sample or label): logits
     * with Gaussian noise of the honest tensor's mean and standard deviation, probabilities with
     * random distributions.
     */
    RANDOM_LOGITS,
    /** Negates the logits and reverses the ranking of every probability row of score tables. */
    INVERTED_LOGITS,
    /** Multiplies model weights by the configured scale. */
    SCALED_WEIGHTS,
    /** Negates model weights. */
    SIGN_FLIPPED_WEIGHTS,
    /**
     * Replaces features (the class prototypes of FedProto and FedTGP, and of FD's feature stage
     * when it has one) with Gaussian noise of the mean and standard deviation pooled over every
     * entry of the honest rows; a row of zeros, a class the participant does not hold, stays zeros,
     * so the attacker claims only the classes it holds.
     */
    RANDOM_FEATURES,
    /** Multiplies features by the configured scale: -1 flips them, 10 drags a mean far off. */
    SCALED_FEATURES;

    /** Returns the name used in configs, e.g. {@code label-flipping}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Returns the attack with this config name.
     *
     * @throws IllegalArgumentException naming the unknown attack and the known ones
     */
    public static AttackKind fromConfigName(String name) {
        for (AttackKind kind : values()) {
            if (kind.configName().equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown attack '" + name + "'; known: " + knownNames());
    }

    /** Returns every attack's config name, for error messages. */
    public static String knownNames() {
        return Arrays.stream(values()).map(AttackKind::configName).toList().toString();
    }
}
