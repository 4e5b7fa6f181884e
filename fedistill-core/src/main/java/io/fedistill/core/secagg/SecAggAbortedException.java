package io.fedistill.core.secagg;

/**
 * Signals that a round of secure aggregation cannot finish because too few participants remain at a
 * stage, so the caller can abandon the round's sum and go on with the next round.
 *
 * <p>It is not a sign of a bug or of bad input, which raise {@link IllegalArgumentException} or
 * {@link IllegalStateException}; the participant or server that throws it is finished with the
 * round.
 */
public final class SecAggAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int round;
    private final SecAggStage stage;
    private final int remaining;
    private final int required;

    /**
     * Creates the exception for a stage that ended with too few participants.
     *
     * @param round the round that aborted
     * @param stage the stage whose messages fell short
     * @param remaining how many participants (or shares) the stage ended with
     * @param required how many the threshold requires
     * @param counted what was counted, e.g. "participants sent masked vectors"
     */
    public SecAggAbortedException(
            int round, SecAggStage stage, int remaining, int required, String counted) {
        super(
                "secure aggregation of round "
                        + round
                        + " aborted at "
                        + stage
                        + ": "
                        + remaining
                        + " "
                        + counted
                        + ", at least "
                        + required
                        + " required");
        this.round = round;
        this.stage = stage;
        this.remaining = remaining;
        this.required = required;
    }

    /** Returns the round that aborted. */
    public int round() {
        return round;
    }

    /** Returns the stage whose messages fell short of the threshold. */
    public SecAggStage stage() {
        return stage;
    }

    /** Returns how many participants or shares the stage ended with. */
    public int remaining() {
        return remaining;
    }

    /** Returns how many the threshold requires. */
    public int required() {
        return required;
    }
}
