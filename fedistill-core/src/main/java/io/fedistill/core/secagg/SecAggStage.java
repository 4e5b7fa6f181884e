package io.fedistill.core.secagg;

/**
 * Names the stages of a secure-aggregation round, in the order they run; the consistency check runs
 * in signed secure aggregation only.
 */
public enum SecAggStage {
    /** Participants send their encryption and masking public keys. */
    ADVERTISE_KEYS,
    /** Participants send their secrets' shares, encrypted for each neighbour. */
    SHARE_KEYS,
    /** Participants send their masked input vectors. */
    MASKED_INPUT,
    /**
     * In signed secure aggregation only: the survivors sign the server's list of who survived and
     * who dropped.
     */
    CONSISTENCY_CHECK,
    /** Surviving participants reveal the shares the server needs to remove the masks. */
    UNMASKING
}
