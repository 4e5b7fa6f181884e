package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * How much each participant's knowledge counts when it is averaged: equally, by its number of
 * examples, per class by its count of that class, or by its accuracy on a held-out split ({@code
 * w_i = acc_i / sum_j acc_j}).
 */
public enum ParticipantWeighting {
    /** Every participant counts the same. */
    UNIFORM,
    /** Weight proportional to the participant's number of training examples. */
    EXAMPLES,
    /** For class c, weight proportional to the participant's number of examples of class c. */
    CLASS_COUNTS,
    /** Weight proportional to the participant's accuracy on its held-out split. */
    VALIDATION_ACCURACY;

    /**
     * What a participant reports for weighting.
     *
     * @param examples its number of training examples
     * @param labelCounts its number of training examples per class
     * @param validationAccuracy its accuracy on its held-out split
     */
    public record Contribution(double examples, double[] labelCounts, double validationAccuracy) {

        /** Returns the contribution as one vector: examples, validation accuracy, label counts. */
        public Tensor toTensor() {
            float[] values = new float[2 + labelCounts.length];
            values[0] = (float) examples;
            values[1] = (float) validationAccuracy;
            for (int k = 0; k < labelCounts.length; k++) {
                values[2 + k] = (float) labelCounts[k];
            }
            return Tensor.wrap(new int[] {values.length}, values);
        }

        /** Reads a vector written by {@link #toTensor()}. */
        public static Contribution fromTensor(Tensor tensor) {
            float[] values = tensor.toFloatArray();
            if (tensor.shape().length != 1 || values.length < 2) {
                throw new IllegalArgumentException(
                        "a contribution is a vector of at least 2 values, got shape "
                                + java.util.Arrays.toString(tensor.shape()));
            }
            double[] counts = new double[values.length - 2];
            for (int k = 0; k < counts.length; k++) {
                counts[k] = values[2 + k];
            }
            return new Contribution(values[0], counts, values[1]);
        }
    }

    /** Parses a config name such as {@code validation-accuracy}. */
    public static ParticipantWeighting parse(String name) {
        for (ParticipantWeighting w : values()) {
            if (w.configName().equals(name)) {
                return w;
            }
        }
        throw new IllegalArgumentException(
                "unknown weighting '"
                        + name
                        + "'; allowed: "
                        + java.util.Arrays.stream(values())
                                .map(ParticipantWeighting::configName)
                                .toList());
    }

    /** Returns the name used in configs. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Returns one participant's unnormalized weight for class {@code k}.
     *
     * @param contribution what the participant reported
     * @param k the class
     * @param who the participant, named in the error
     * @throws IllegalArgumentException when the weight is negative or not finite, or class counts
     *     weigh but the participant withheld its counts (as uploads under differential privacy do)
     */
    public double rawWeight(Contribution contribution, int k, String who) {
        if (this == CLASS_COUNTS && k >= contribution.labelCounts().length) {
            throw new IllegalArgumentException(
                    who
                            + " withheld its label counts (as an upload under differential privacy"
                            + " does), which "
                            + configName()
                            + " weighting needs");
        }
        double w =
                switch (this) {
                    case UNIFORM -> 1;
                    case EXAMPLES -> contribution.examples();
                    case CLASS_COUNTS -> contribution.labelCounts()[k];
                    case VALIDATION_ACCURACY -> contribution.validationAccuracy();
                };
        if (!(w >= 0) || !Double.isFinite(w)) {
            throw new IllegalArgumentException(who + " has weight " + w + " under " + configName());
        }
        return w;
    }

    /**
     * Rescales each column of {@code scaled} to sum to 1, in place, and returns it; a column that
     * sums to 0 takes {@code fallback}'s column instead. What reweighing rules ({@link
     * ExponentialTrust}, {@link RootReliability}) finish with.
     */
    static double[][] normalizeColumns(double[][] scaled, double[][] fallback) {
        int classes = scaled.length == 0 ? 0 : scaled[0].length;
        for (int k = 0; k < classes; k++) {
            double total = 0;
            for (double[] row : scaled) {
                total += row[k];
            }
            for (int p = 0; p < scaled.length; p++) {
                scaled[p][k] = total > 0 ? scaled[p][k] / total : fallback[p][k];
            }
        }
        return scaled;
    }

    /**
     * Returns normalized weights, one row per participant and one column per class; each column
     * sums to 1. A column where every raw weight is 0 falls back to equal weights.
     */
    public double[][] weights(List<Contribution> contributions, int classes) {
        int n = contributions.size();
        double[][] w = new double[n][classes];
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < classes; k++) {
                w[p][k] = rawWeight(contributions.get(p), k, "participant " + p);
            }
        }
        for (int k = 0; k < classes; k++) {
            double total = 0;
            for (int p = 0; p < n; p++) {
                total += w[p][k];
            }
            for (int p = 0; p < n; p++) {
                w[p][k] = total > 0 ? w[p][k] / total : 1.0 / n;
            }
        }
        return w;
    }
}
