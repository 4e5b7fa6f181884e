package io.fedistill.core.message;

/** What a message asks a participant to do, or what a reply answers. */
public enum MessageKind {
    /** Train locally (possibly from sent weights or toward sent knowledge) and report back. */
    TRAIN,
    /** Evaluate the participant's model (or sent weights) and report metrics. */
    EVALUATE,
    /** Compute knowledge (logits, soft labels, features) without training. */
    PREDICT,
    /** Absorb sent knowledge (distill) without a fresh upload. */
    DISTILL
}
