package io.fedistill.core.coordinator;

import io.fedistill.core.message.Metrics;
import io.fedistill.core.validate.ReplySpec;
import java.util.List;

/**
 * The contract of an evaluation exchange: a {@link io.fedistill.core.message.MessageType#EVALUATE}
 * message, possibly carrying the coordinator's global weights for the participant to score,
 * answered with these metrics.
 */
public final class EvaluationProtocol {
    /** Accuracy of the participant's model on the global test set. */
    public static final String TEST_ACCURACY = "test_accuracy";

    /** Mean cross-entropy of the participant's model on the global test set. */
    public static final String TEST_LOSS = "test_loss";

    /**
     * How many distinct classes the participant's model predicts on the global test set: 1 marks a
     * model that answers the same for every input (a dead model).
     */
    public static final String TEST_PREDICTED_CLASSES = "test_predicted_classes";

    /** Accuracy on the participant's own local test split. */
    public static final String LOCAL_ACCURACY = "local_accuracy";

    /** Mean cross-entropy on the participant's own local test split. */
    public static final String LOCAL_LOSS = "local_loss";

    /**
     * How many samples the local scores come from, so the coordinator can pool them: correct over
     * total across every participant's local test split, the way PFLlib and HtFLlib report
     * accuracy.
     */
    public static final String LOCAL_SAMPLES = "local_samples";

    private EvaluationProtocol() {}

    /**
     * Returns the spec every evaluation reply must meet: no tensors, finite metrics, and its scores
     * in whole groups, at least one: the common test set's (a participant may hold none) and the
     * local split's.
     */
    public static ReplySpec replySpec() {
        return ReplySpec.metricGroups(
                List.of(TEST_ACCURACY, TEST_LOSS, TEST_PREDICTED_CLASSES),
                List.of(LOCAL_ACCURACY, LOCAL_LOSS, LOCAL_SAMPLES));
    }

    /** Returns whether a reply carries the common test set's accuracy, loss and classes. */
    public static boolean hasTestScores(Metrics metrics) {
        return metrics.find(TEST_ACCURACY).isPresent()
                && metrics.find(TEST_LOSS).isPresent()
                && metrics.find(TEST_PREDICTED_CLASSES).isPresent();
    }

    /**
     * Returns whether a reply carries the local split's accuracy, loss and sample count, the count
     * a whole number of at least 0.
     */
    public static boolean hasLocalScores(Metrics metrics) {
        double samples = metrics.find(LOCAL_SAMPLES).orElse(-1);
        return metrics.find(LOCAL_ACCURACY).isPresent()
                && metrics.find(LOCAL_LOSS).isPresent()
                && samples >= 0
                && samples == Math.rint(samples)
                && samples <= Integer.MAX_VALUE;
    }
}
