package io.fedistill.ml.train;

/** The optimizers a local trainer can use. */
public enum OptimizerKind {
    /** Stochastic gradient descent with momentum. */
    SGD,
    /** Adam. */
    ADAM
}
