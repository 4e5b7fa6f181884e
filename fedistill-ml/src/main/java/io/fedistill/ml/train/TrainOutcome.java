package io.fedistill.ml.train;

/**
 * What one local training call produced besides the new weights.
 *
 * @param meanLoss mean objective over all steps
 * @param examples samples seen per epoch
 * @param perLabelLogitSums row c: sum of the logits the model produced for samples of label c
 *     during training (FD's upload, before dividing by the counts)
 * @param perLabelFeatureSums row c: sum of the feature vectors for samples of label c (null rows
 *     for labels the participant has none of): per-class prototypes before dividing
 * @param perLabelCounts how many vectors each row sums
 * @param inputIgnored true when, at the end of training, the model's features were identical for
 *     every sample of its last batch (of two or more): it predicts the same for every input
 *     (typically every ReLU died under too large a learning rate) and its knowledge carries no
 *     information
 */
public record TrainOutcome(
        double meanLoss,
        int examples,
        float[][] perLabelLogitSums,
        float[][] perLabelFeatureSums,
        int[] perLabelCounts,
        boolean inputIgnored) {}
