package io.fedistill.ml.partition;

/**
 * One participant's share of the training set: what it trains on and the local test split it is
 * scored on.
 *
 * @param participantId the participant
 * @param trainIndices training-set indices it trains on
 * @param localTestIndices training-set indices held out as its local test split
 */
public record ParticipantSplit(String participantId, int[] trainIndices, int[] localTestIndices) {
    /** Copies the arrays. */
    public ParticipantSplit {
        trainIndices = trainIndices.clone();
        localTestIndices = localTestIndices.clone();
    }

    /** Returns a copy of the training indices. */
    @Override
    public int[] trainIndices() {
        return trainIndices.clone();
    }

    /** Returns a copy of the local test indices. */
    @Override
    public int[] localTestIndices() {
        return localTestIndices.clone();
    }
}
