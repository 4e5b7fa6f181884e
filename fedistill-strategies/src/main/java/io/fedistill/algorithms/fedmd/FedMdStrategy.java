package io.fedistill.algorithms.fedmd;

import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.LearntTrust;
import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.List;
import java.util.Optional;

/**
 * FedMD's coordinator: in round one the transfer phase (labeled public set, then private data),
 * then every round class scores on a public subset, their weighted mean as the consensus, and
 * participants digest it and revisit their private data. Keeps, between rounds, the trust it has
 * learnt in each participant, if it learns any.
 */
final class FedMdStrategy implements Strategy {
    private final KnowledgeProtocol protocol;
    private final FedMdSettings settings;
    private final int classes;
    private final LearntTrust learnt;

    FedMdStrategy(KnowledgeProtocol protocol, FedMdSettings settings, int classes) {
        this.protocol = protocol;
        this.settings = settings;
        this.classes = classes;
        this.learnt = new LearntTrust(settings.trustStepSize());
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        if (context.round() == 1 && settings.transferEpochs() > 0) {
            fleet.exchange(
                    protocol.transferRequests(context, settings.transferEpochs()),
                    ReplySpec.metricsOnly("examples"));
        }
        return protocol.combineScores(
                context,
                fleet,
                new KnowledgeProtocol.ScoreRequest(
                        settings.subsetSize(),
                        KnowledgeProtocol.Scores.LOGITS,
                        false,
                        settings.weighting(),
                        classes),
                new KnowledgeProtocol.Defences(
                        settings.priorCheck(), Optional.empty(), settings.robust(), learnt.trust()),
                settings.secure(),
                (participants, consensus) -> digest(context, fleet, participants, consensus));
    }

    /** Sends the participants the consensus to digest, and reports the round. */
    private Metrics digest(
            RoundContext context, Fleet fleet, List<String> participants, float[][] consensus) {
        ExchangeResult digested =
                fleet.exchange(
                        protocol.distillRequests(
                                context,
                                participants,
                                consensus,
                                new KnowledgeProtocol.DistillStep(
                                        true,
                                        settings.temperature(),
                                        settings.digestEpochs(),
                                        true,
                                        0,
                                        1)),
                        ReplySpec.metricsOnly("distill_loss"));
        return Metrics.of(
                "participants_aggregated",
                participants.size(),
                "participants_digested",
                digested.replies().size(),
                "consensus_entropy",
                SoftLabels.meanEntropy(SoftLabels.softmax(consensus, settings.temperature())));
    }

    @Override
    public TensorRecord snapshot() {
        return learnt.snapshot();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        learnt.restore(snapshot);
    }
}
