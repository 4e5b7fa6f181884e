package io.fedistill.algorithms.fedkd;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;
import java.util.Map;

/**
 * FedKD's settings, which both halves read.
 *
 * @param mentee the shared mentee's model spec text
 * @param hiddenWeight the weight of hidden-representation distillation between mentor and mentee (0
 *     to leave it out; above 0 their features must be equally wide)
 * @param energyStart the share of a mentee change's squared singular values its truncated SVD keeps
 *     before the first round, when the mentee is compressed
 * @param energyEnd the share kept in the last round (round r of R keeps {@code energyStart + r / R
 *     * (energyEnd - energyStart)})
 * @param compressed whether the mentee travels both ways as truncated-SVD factors of its change
 */
public record FedKdSettings(
        String mentee,
        double hiddenWeight,
        double energyStart,
        double energyEnd,
        boolean compressed) {
    /** The name used in configs. */
    public static final String NAME = "fedkd";

    /** Checks the energies. */
    public FedKdSettings {
        if (energyEnd < energyStart) {
            throw new IllegalArgumentException(
                    NAME
                            + ": energyEnd "
                            + energyEnd
                            + " is below energyStart "
                            + energyStart
                            + "; the kept energy rises over rounds");
        }
    }

    /**
     * Reads FedKD's options: {@code model} (required: the shared mentee's architecture; each
     * participant's own model is its private mentor), {@code hiddenWeight} (default 1), {@code svd}
     * (default false: send the mentee both ways as truncated-SVD factors of its change), {@code
     * energyStart} (default 0.95) and {@code energyEnd} (default 0.98).
     */
    public static FedKdSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        List.of("model", "hiddenWeight", "svd", "energyStart", "energyEnd"));
        return new FedKdSettings(
                read.getParsed("model", "the shared mentee's architecture, e.g. mlp:32", m -> m),
                read.getDouble("hiddenWeight", 1, 0, 1e6),
                read.getDouble("energyStart", 0.95, 0.01, 1),
                read.getDouble("energyEnd", 0.98, 0.01, 1),
                read.getBoolean("svd", false));
    }

    /**
     * Returns the energy a round's truncated SVD keeps, rising linearly to {@code energyEnd} in the
     * last round (as HtFLlib's schedule does after each round).
     */
    public double energy(int round, int totalRounds) {
        return energyStart + (energyEnd - energyStart) * round / totalRounds;
    }

    /** Creates the coordinator half, starting from the mentee's initial weights. */
    public Strategy newStrategy(TensorRecord initialMentee) {
        return new FedKdStrategy(this, initialMentee);
    }
}
