package io.fedistill.ml.eval;

/**
 * A model's accuracy and mean cross-entropy on a set of samples.
 *
 * @param accuracy fraction correct in [0, 1] (NaN for an empty set)
 * @param loss mean cross-entropy (NaN for an empty set)
 * @param samples number of samples scored
 * @param predictedClasses how many distinct classes the model predicted on them (1 for a model that
 *     predicts one class for everything, the mark of a dead model on a varied set)
 */
public record EvaluationScore(double accuracy, double loss, int samples, int predictedClasses) {}
