package io.fedistill.ml.train;

/**
 * What one local training call produced besides the new weights.
 *
 * @param meanLoss mean objective over all steps
 * @param examples samples seen per epoch
 * @param perLabelLogitSums row c: sum of the logits the model produced for samples of label c
 *     during training (FD's upload, before dividing by the counts)
 * @param perLabelCounts how many logit vectors each row sums
 */
public record TrainOutcome(double meanLoss, int examples, float[][] perLabelLogitSums, int[] perLabelCounts) {}
