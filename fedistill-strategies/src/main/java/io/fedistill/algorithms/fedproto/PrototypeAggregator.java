package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;

/**
 * Turns one round's prototype uploads into global prototypes: FedProto's per-class mean ({@link
 * #mean}), or FedTGP's trainable prototypes learned on the coordinator. It may carry state from
 * round to round, which it snapshots for checkpoints.
 */
public interface PrototypeAggregator {

    /**
     * What one aggregation gives.
     *
     * @param prototypes the new global prototypes (a row's count is the samples behind it; 0 where
     *     no upload held that class)
     * @param metrics what the aggregation reports for the round (a server loss, a margin)
     */
    record Result(PerLabelMeans prototypes, Metrics metrics) {}

    /**
     * Combines the round's uploads.
     *
     * @param round the round
     * @param uploads each usable upload: per-class feature means with the samples behind them
     * @param contributions what each uploader reported for weighting, in the same order
     * @return the global prototypes
     */
    Result aggregate(
            int round,
            List<PerLabelMeans> uploads,
            List<ParticipantWeighting.Contribution> contributions);

    /** Returns what the aggregator carries between rounds; empty when it carries nothing. */
    default TensorRecord snapshot() {
        return TensorRecord.empty();
    }

    /** Restores what {@link #snapshot} returned. */
    default void restore(TensorRecord snapshot) {}

    /**
     * Returns FedProto's aggregation: each class's prototype is the weighted mean of the uploads
     * holding that class ({@code uniform}: the plain mean over its holders, as HtFLlib computes it;
     * {@code class-counts}: weighted by their samples of it, as the paper writes it).
     */
    static PrototypeAggregator mean(ParticipantWeighting weighting, int classes, int width) {
        return (round, uploads, contributions) ->
                new Result(
                        PerLabelMeans.weightedMean(
                                PerLabelMeans.FEATURES,
                                uploads,
                                contributions,
                                weighting,
                                classes,
                                width),
                        Metrics.empty());
    }
}
