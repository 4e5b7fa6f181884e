package io.fedistill.algorithms.dsfl;

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
import java.util.function.LongFunction;

/**
 * DS-FL's coordinator: one exchange collects soft labels on the round's public subset (after a
 * local epoch on private data), a second sends the mean or its ERA sharpening back for
 * distillation. Reports the entropy of the aggregated labels. Keeps, between rounds, the trust it
 * has learnt in each participant, if it learns any.
 */
final class DsflStrategy implements Strategy {
    private final KnowledgeProtocol protocol;
    private final DsflSettings settings;
    private final int classes;
    private final LearntTrust learnt;
    private final Optional<LongFunction<int[]>> rootLabels;

    /**
     * Creates DS-FL's coordinator.
     *
     * @param rootLabels given a round's subset seed, the labels of the subset's first {@code
     *     settings.rootLabels()} samples, when the coordinator checks uploads against them
     */
    DsflStrategy(
            KnowledgeProtocol protocol,
            DsflSettings settings,
            int classes,
            Optional<LongFunction<int[]>> rootLabels) {
        this.protocol = protocol;
        this.settings = settings;
        this.classes = classes;
        this.rootLabels = rootLabels;
        this.learnt = new LearntTrust(settings.trustStepSize());
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        return protocol.combineScores(
                context,
                fleet,
                new KnowledgeProtocol.ScoreRequest(
                        settings.subsetSize(),
                        KnowledgeProtocol.Scores.PROBABILITIES,
                        true,
                        settings.weighting(),
                        classes),
                new KnowledgeProtocol.Defences(
                        settings.priorCheck(),
                        rootLabels.map(labels -> labels.apply(context.seed("public-subset"))),
                        settings.robust(),
                        learnt.trust()),
                settings.secure(),
                (participants, mean) -> distill(context, fleet, participants, mean));
    }

    /** Sends the participants the (sharpened) mean to distill, and reports the round. */
    private Metrics distill(
            RoundContext context, Fleet fleet, List<String> participants, float[][] mean) {
        int round = context.round();
        int total = context.totalRounds();
        float[][] targets =
                settings.era()
                        ? SoftLabels.softmax(mean, settings.eraTemperature().valueAt(round, total))
                        : mean;
        ExchangeResult distilled =
                fleet.exchange(
                        protocol.distillRequests(
                                context,
                                participants,
                                targets,
                                new KnowledgeProtocol.DistillStep(
                                        false,
                                        settings.distillTemperature().valueAt(round, total),
                                        settings.distillEpochs(),
                                        false,
                                        settings.distillLearningRate(),
                                        settings.distillWeight().valueAt(round, total))),
                        ReplySpec.metricsOnly("distill_loss"));
        return Metrics.of(
                "participants_aggregated",
                participants.size(),
                "participants_distilled",
                distilled.replies().size(),
                "label_entropy",
                SoftLabels.meanEntropy(targets),
                "mean_label_entropy",
                SoftLabels.meanEntropy(mean));
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
