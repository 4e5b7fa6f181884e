package io.fedistill.ml.eval;

/**
 * A model's accuracy and mean cross-entropy on a set of samples.
 *
 * @param accuracy fraction correct in [0, 1] (NaN for an empty set)
 * @param loss mean cross-entropy (NaN for an empty set)
 * @param samples number of samples scored
 */
public record EvaluationScore(double accuracy, double loss, int samples) {}
