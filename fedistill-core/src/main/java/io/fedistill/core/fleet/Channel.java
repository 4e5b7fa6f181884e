package io.fedistill.core.fleet;

/**
 * Why bytes travel: the algorithm's own traffic, which the communication figures report, or
 * evaluation traffic that a deployment would not need to send.
 */
public enum Channel {
    /** Traffic the algorithm needs to learn. */
    ALGORITHM,
    /** Traffic only measurement needs (sending a global model for evaluation, metric replies). */
    EVALUATION
}
