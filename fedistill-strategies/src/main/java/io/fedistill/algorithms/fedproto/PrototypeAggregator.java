package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustRule;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;

/**
 * Turns one round's prototype uploads into global prototypes: FedProto's per-class mean or robust
 * combination ({@link #perClass}), or FedTGP's trainable prototypes learned on the coordinator. It
 * may carry state from round to round, which it snapshots for checkpoints.
 */
public interface PrototypeAggregator {

    /**
     * What one aggregation gives.
     *
     * @param prototypes the new global prototypes (a row's count is the samples behind it; where
     *     the uploads withheld their counts under differential privacy, the uploads whose presence
     *     for it is not zero, which under noise is every upload; 0 where no upload held that class)
     * @param metrics what the aggregation reports for the round (a server loss, a margin)
     */
    record Result(PerLabelMeans prototypes, Metrics metrics) {}

    /**
     * Combines the round's uploads.
     *
     * @param round the round
     * @param uploads each usable upload: per-class feature means with the samples behind them, and
     *     presence weights
     * @param contributions what each uploader reported for weighting, in the same order
     * @return the global prototypes
     */
    Result aggregate(
            int round,
            List<PrototypeUpload> uploads,
            List<ParticipantWeighting.Contribution> contributions);

    /** Returns what the aggregator carries between rounds; empty when it carries nothing. */
    default TensorRecord snapshot() {
        return TensorRecord.empty();
    }

    /** Restores what {@link #snapshot} returned. */
    default void restore(TensorRecord snapshot) {}

    /**
     * Returns FedProto's aggregation: each class's prototype is the mean of the uploads holding
     * that class, or their robust combination. {@code uniform}, the plain mean over its holders as
     * HtFLlib computes it, is the sum of every upload's row over the sum of their presence weights,
     * which is also what differential privacy needs (the noise of every upload is in both sums, and
     * clipping or scaling an upload scales its row and its presence alike); a class whose presence
     * sums to less than one half (only under noise) counts as held by nobody this round. {@code
     * class-counts} weighs the holders by their samples of the class, as the paper writes it. A
     * robust rule ({@code median}, {@code trimmed-mean}) combines the holders' rows of each class
     * entry by entry instead, so that a few bad uploads cannot drag a prototype; it tells the
     * holders by their counts, so it needs uploads that report them (privacy, which withholds them,
     * refuses robust rules at config time). A trimmed mean trims {@code floor(trimFraction *
     * holders)} rows at each end, none where a class has fewer holders than {@code 1 /
     * trimFraction}.
     *
     * @param weighting how the mean weighs each class's holders
     * @param robust the rule combining them
     * @param classes the number of classes
     * @param width the feature width
     */
    static PrototypeAggregator perClass(
            ParticipantWeighting weighting, RobustAggregation robust, int classes, int width) {
        if (weighting != ParticipantWeighting.UNIFORM || robust.rule() != RobustRule.MEAN) {
            return (round, uploads, contributions) ->
                    new Result(
                            PerLabelMeans.combine(
                                    PerLabelMeans.FEATURES,
                                    uploads.stream().map(PrototypeUpload::prototypes).toList(),
                                    contributions,
                                    weighting,
                                    robust,
                                    classes,
                                    width),
                            Metrics.empty());
        }
        return (round, uploads, contributions) -> {
            double[][] sums = new double[classes][width];
            double[] presence = new double[classes];
            int[] counts = new int[classes];
            for (PrototypeUpload upload : uploads) {
                for (int c = 0; c < classes; c++) {
                    presence[c] += upload.presence()[c];
                    counts[c] += upload.prototypes().counts()[c];
                    for (int k = 0; k < width; k++) {
                        sums[c][k] += upload.prototypes().means()[c][k];
                    }
                }
            }
            float[][] means = new float[classes][width];
            for (int c = 0; c < classes; c++) {
                if (presence[c] < 0.5 || counts[c] == 0) {
                    counts[c] = 0;
                    continue;
                }
                for (int k = 0; k < width; k++) {
                    means[c][k] = (float) (sums[c][k] / presence[c]);
                }
            }
            return new Result(
                    new PerLabelMeans(PerLabelMeans.FEATURES, means, counts), Metrics.empty());
        };
    }
}
