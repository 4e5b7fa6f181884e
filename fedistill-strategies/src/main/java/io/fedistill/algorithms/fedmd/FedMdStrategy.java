package io.fedistill.algorithms.fedmd;

import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustResult;
import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.validate.ReplySpec;

/**
 * FedMD's coordinator: in round one the transfer phase (labeled public set, then private data),
 * then every round class scores on a public subset, their weighted mean as the consensus, and
 * participants digest it and revisit their private data. Keeps nothing between rounds.
 */
final class FedMdStrategy implements Strategy {
    private final KnowledgeProtocol protocol;
    private final int subsetSize;
    private final int transferEpochs;
    private final double temperature;
    private final int digestEpochs;
    private final ParticipantWeighting weighting;
    private final RobustAggregation robust;
    private final int classes;

    FedMdStrategy(
            KnowledgeProtocol protocol,
            int subsetSize,
            int transferEpochs,
            double temperature,
            int digestEpochs,
            ParticipantWeighting weighting,
            RobustAggregation robust,
            int classes) {
        this.protocol = protocol;
        this.robust = robust;
        this.subsetSize = subsetSize;
        this.transferEpochs = transferEpochs;
        this.temperature = temperature;
        this.digestEpochs = digestEpochs;
        this.weighting = weighting;
        this.classes = classes;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        if (context.round() == 1 && transferEpochs > 0) {
            fleet.exchange(
                    protocol.transferRequests(context, transferEpochs),
                    ReplySpec.metricsOnly("examples"));
        }
        KnowledgeProtocol.Collected collected =
                protocol.requestScores(
                        context,
                        fleet,
                        subsetSize,
                        KnowledgeProtocol.Scores.LOGITS,
                        false,
                        weighting,
                        classes);
        if (collected.participants().isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        RobustResult<float[][]> combined = collected.aggregate(robust);
        float[][] consensus = combined.aggregate();
        ExchangeResult digested =
                fleet.exchange(
                        protocol.distillRequests(
                                context,
                                collected.participants(),
                                consensus,
                                new KnowledgeProtocol.DistillStep(
                                        true, temperature, digestEpochs, true, 0, 1)),
                        ReplySpec.metricsOnly("distill_loss"));
        Metrics metrics =
                Metrics.of(
                        "participants_aggregated",
                        collected.participants().size(),
                        "participants_digested",
                        digested.replies().size(),
                        "consensus_entropy",
                        SoftLabels.meanEntropy(SoftLabels.softmax(consensus, temperature)));
        return robust.excludes()
                ? metrics.with("participants_excluded", combined.excluded())
                : metrics;
    }
}
