package io.fedistill.core.aggregate;

import java.util.List;

/**
 * Weights checked against a small labelled root set the coordinator holds, in the spirit of FLTrust
 * (Cao et al., NDSS 2021) adapted to soft labels: the first rows of every participant's
 * probabilities are samples whose labels the coordinator knows, and a participant's weight for
 * class c is scaled by its reliability on c, the mean probability it gives the true class over the
 * root samples of class c. A participant that reverses its soft labels scores about 0 on the
 * classes it holds and so loses its vote on them, whatever the others send; an honest holder of a
 * class scores high on it.
 */
public final class RootReliability {
    private RootReliability() {}

    /**
     * Returns the weights scaled by each participant's reliability on each class.
     *
     * @param probabilities one n x C probability matrix per participant; its first {@code
     *     rootLabels.length} rows are the root samples
     * @param rootLabels the true class of each root sample
     * @param classWeights participant x class weights, each column summing to 1
     * @return the scaled weights, each column again summing to 1; a class without root samples, or
     *     on which no participant with weight is reliable at all, keeps its weights
     * @throws IllegalArgumentException when the sizes disagree or a label is out of range
     */
    public static double[][] reweigh(
            List<float[][]> probabilities, int[] rootLabels, double[][] classWeights) {
        int n = probabilities.size();
        if (classWeights.length != n) {
            throw new IllegalArgumentException(
                    n + " probability matrices but " + classWeights.length + " weight rows");
        }
        int classes = n == 0 ? 0 : classWeights[0].length;
        int[] rootsOfClass = new int[classes];
        for (int i = 0; i < rootLabels.length; i++) {
            if (rootLabels[i] < 0 || rootLabels[i] >= classes) {
                throw new IllegalArgumentException(
                        "root label "
                                + rootLabels[i]
                                + " at row "
                                + i
                                + " is outside [0, "
                                + classes
                                + ")");
            }
            rootsOfClass[rootLabels[i]]++;
        }
        double[][] scaled = new double[n][];
        for (int p = 0; p < n; p++) {
            float[][] rows = probabilities.get(p);
            if (rows.length < rootLabels.length || classWeights[p].length != classes) {
                throw new IllegalArgumentException(
                        "participant "
                                + p
                                + " sent "
                                + rows.length
                                + " rows for "
                                + rootLabels.length
                                + " root samples, with "
                                + classWeights[p].length
                                + " class weights for "
                                + classes
                                + " classes");
            }
            double[] reliability = new double[classes];
            for (int i = 0; i < rootLabels.length; i++) {
                if (rows[i].length != classes) {
                    throw new IllegalArgumentException(
                            "participant "
                                    + p
                                    + "'s row "
                                    + i
                                    + " has "
                                    + rows[i].length
                                    + " classes, not "
                                    + classes);
                }
                reliability[rootLabels[i]] += rows[i][rootLabels[i]];
            }
            scaled[p] = new double[classes];
            for (int k = 0; k < classes; k++) {
                scaled[p][k] =
                        rootsOfClass[k] == 0
                                ? classWeights[p][k]
                                : classWeights[p][k] * reliability[k] / rootsOfClass[k];
            }
        }
        return ParticipantWeighting.normalizeColumns(scaled, classWeights);
    }
}
