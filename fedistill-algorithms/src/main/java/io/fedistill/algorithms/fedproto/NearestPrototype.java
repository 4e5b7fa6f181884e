package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.eval.EvaluationScore;
import io.fedistill.ml.train.ModelSession;

/**
 * Nearest-prototype inference, as FedProto and FedTGP classify: a sample's class is the global
 * prototype nearest its features by mean squared distance (classes without a prototype are never
 * chosen); the loss reported is the cross-entropy of the negative distances, over the samples whose
 * class has a prototype (0 when none has: the others would have an infinite loss). Combined with
 * the head, each class's negative distance is added to the head's logit for it (its log-probability
 * up to a per-sample constant, which changes neither the choice nor the loss), so the class chosen
 * maximizes the product of the two softmaxes, and the loss is that product's.
 */
final class NearestPrototype {
    private final PerLabelMeans prototypes;
    private final boolean withHead;

    /**
     * Creates the scorer.
     *
     * @param withHead whether the head's logits are added to the negative distances
     * @throws IllegalArgumentException when no class has a prototype
     */
    NearestPrototype(PerLabelMeans prototypes, boolean withHead) {
        if (prototypes.isEmpty()) {
            throw new IllegalArgumentException("no class has a global prototype to classify by");
        }
        this.prototypes = prototypes;
        this.withHead = withHead;
    }

    /** Scores the session's features on the samples. */
    EvaluationScore score(ModelSession session, ImageDataset data, int[] indices) {
        if (indices.length == 0) {
            return new EvaluationScore(Double.NaN, Double.NaN, 0, 0);
        }
        float[][] features = session.features(data, indices);
        float[][] logits = withHead ? session.predict(data, indices) : null;
        int[] labels = data.labels(indices);
        int classes = prototypes.counts().length;
        int width = prototypes.means()[0].length;
        boolean[] predicted = new boolean[classes];
        int correct = 0;
        double lossSum = 0;
        int lossSamples = 0;
        double[] score = new double[classes];
        for (int i = 0; i < indices.length; i++) {
            if (features[i].length != width) {
                throw new IllegalArgumentException(
                        "global prototypes are "
                                + classes
                                + " x "
                                + width
                                + ", but this model's features are "
                                + features[i].length
                                + " wide: expected "
                                + classes
                                + " x "
                                + features[i].length);
            }
            if (withHead && logits[i].length != classes) {
                throw new IllegalArgumentException(
                        "global prototypes are for "
                                + classes
                                + " classes, but this model's head has "
                                + logits[i].length
                                + " outputs");
            }
            int best = -1;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (prototypes.counts()[c] == 0) {
                    score[c] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double squares = 0;
                for (int k = 0; k < width; k++) {
                    double d = features[i][k] - prototypes.means()[c][k];
                    squares += d * d;
                }
                score[c] = -squares / width + (withHead ? logits[i][c] : 0);
                if (score[c] > max) {
                    max = score[c];
                    best = c;
                }
            }
            if (best < 0) {
                continue; // features or logits that are not finite match no class: a wrong answer
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(score[c] - max);
            }
            if (prototypes.counts()[labels[i]] > 0) {
                lossSum += max + Math.log(sum) - score[labels[i]];
                lossSamples++;
            }
            predicted[best] = true;
            correct += best == labels[i] ? 1 : 0;
        }
        int predictedClasses = 0;
        for (boolean p : predicted) {
            predictedClasses += p ? 1 : 0;
        }
        return new EvaluationScore(
                (double) correct / indices.length,
                lossSamples == 0 ? 0 : lossSum / lossSamples,
                indices.length,
                predictedClasses);
    }
}
