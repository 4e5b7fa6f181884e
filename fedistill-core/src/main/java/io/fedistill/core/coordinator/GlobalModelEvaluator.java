package io.fedistill.core.coordinator;

import io.fedistill.core.tensor.TensorRecord;

/**
 * Scores a coordinator-held model on the global test set; implemented where the model code lives,
 * so the coordinator itself needs no deep-learning engine.
 */
public interface GlobalModelEvaluator {

    /**
     * Evaluates weights.
     *
     * @param weights the global model's weights
     * @return accuracy and loss on the global test set
     */
    Score evaluate(TensorRecord weights);

    /**
     * Accuracy and mean loss.
     *
     * @param accuracy fraction correct, in [0, 1]
     * @param loss mean cross-entropy
     */
    record Score(double accuracy, double loss) {}
}
