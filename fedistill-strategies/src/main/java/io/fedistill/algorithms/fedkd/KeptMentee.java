package io.fedistill.algorithms.fedkd;

import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;

/**
 * A FedKD participant's side of compressed downloads: it keeps the mentee it starts each round
 * from, with that round, so that the next round's download can be the change from it as
 * truncated-SVD factors ({@link FedKdStrategy#BASE_ROUND}); a download without a base round is the
 * mentee whole.
 */
public final class KeptMentee {
    /** The state key of the kept mentee. */
    static final String KEY = "fedkd-start";

    private static final String ROUND = "#round";

    private KeptMentee() {}

    /**
     * Returns the mentee a request asks its participant to start from, and keeps it (with the
     * request's round) when downloads are compressed.
     *
     * @throws IllegalStateException when the download is a change from a mentee this participant
     *     does not keep, naming the rounds
     * @throws IllegalArgumentException when the factors do not fit the kept mentee, naming the
     *     tensor
     */
    public static TensorRecord startOf(Message request, ParticipantState state) {
        // compressed downloads travel as exact values; the mentee they stand for is weights
        TensorRecord start =
                request.config().has(FedKdStrategy.ENERGY)
                        ? request.tensors().withRole(TensorRole.WEIGHTS)
                        : request.tensors();
        if (request.config().has(FedKdStrategy.BASE_ROUND)) {
            long base = request.config().getLong(FedKdStrategy.BASE_ROUND);
            TensorRecord kept =
                    state.load(KEY)
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "the mentee came as its change from the one"
                                                            + " this participant started round "
                                                            + base
                                                            + " from, and it keeps none"));
            long keptRound = (long) kept.get(ROUND).get(0);
            if (keptRound != base) {
                throw new IllegalStateException(
                        "the mentee came as its change from the one this participant started"
                                + " round "
                                + base
                                + " from; it keeps round "
                                + keptRound
                                + "'s");
            }
            TensorRecord.Builder weights = TensorRecord.builder();
            kept.names().stream()
                    .filter(name -> !name.equals(ROUND))
                    .forEach(name -> weights.put(name, kept.get(name), kept.role(name)));
            start = LowRankUpdate.reconstruct(weights.build(), request.tensors());
        }
        if (request.config().has(FedKdStrategy.ENERGY)) {
            state.save(
                    KEY,
                    TensorRecord.builder()
                            .putAll(start)
                            .put(
                                    ROUND,
                                    Tensor.wrap(new int[] {1}, new float[] {request.round()}),
                                    TensorRole.EXACT)
                            .build());
        }
        return start;
    }
}
