package io.fedistill.core.secagg;

/** Names the four stages of a secure-aggregation round, in the order they run. */
public enum SecAggStage {
    /** Participants send their encryption and masking public keys. */
    ADVERTISE_KEYS,
    /** Participants send their secrets' shares, encrypted for each neighbour. */
    SHARE_KEYS,
    /** Participants send their masked input vectors. */
    MASKED_INPUT,
    /** Surviving participants reveal the shares the server needs to remove the masks. */
    UNMASKING
}
