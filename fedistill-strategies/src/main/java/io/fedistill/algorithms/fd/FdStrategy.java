package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.core.validate.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FD's coordinator: keeps each participant's latest per-label logits (or, in an optional first
 * stage, per-label feature prototypes) and sends every selected participant the weighted mean of
 * everybody else's (count-weighted by default), so its own contribution never teaches it.
 */
final class FdStrategy implements Strategy {
    /** The request to train toward the others' per-label means and upload one's own. */
    static final MessageType TRAIN = MessageType.of("fd", "train");

    static final String ALPHA = "alpha";
    static final String TEMPERATURE = "temperature";
    static final String STAGE = "stage";
    static final String FEATURE_WEIGHT = "feature_weight";

    private static final Logger LOG = LoggerFactory.getLogger(FdStrategy.class);

    private final int classes;
    private final Schedule alpha;
    private final Schedule temperature;
    private final int featureRounds;
    private final double featureWeight;
    private final int featureWidth;
    private final Map<String, PerLabelMeans> latestLogits = new TreeMap<>();
    private final Map<String, PerLabelMeans> latestFeatures = new TreeMap<>();
    private final Map<String, ParticipantWeighting.Contribution> contributions = new TreeMap<>();
    private final ParticipantWeighting weighting;

    FdStrategy(int classes, Schedule alpha, Schedule temperature) {
        this(classes, alpha, temperature, 0, 0, 0, ParticipantWeighting.CLASS_COUNTS);
    }

    /**
     * Creates the coordinator with a feature stage: for the first {@code featureRounds} rounds
     * participants exchange per-label feature means ({@code featureWidth} wide) instead of logits.
     */
    FdStrategy(
            int classes,
            Schedule alpha,
            Schedule temperature,
            int featureRounds,
            double featureWeight,
            int featureWidth,
            ParticipantWeighting weighting) {
        this.weighting = weighting;
        this.classes = classes;
        this.alpha = alpha;
        this.temperature = temperature;
        this.featureRounds = featureRounds;
        this.featureWeight = featureWeight;
        this.featureWidth = featureWidth;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        boolean featureStage = context.round() <= featureRounds;
        String kind = featureStage ? PerLabelMeans.FEATURES : PerLabelMeans.LOGITS;
        int width = featureStage ? featureWidth : classes;
        Map<String, PerLabelMeans> latest = featureStage ? latestFeatures : latestLogits;
        ConfigRecord config =
                ConfigRecord.of(
                        STAGE,
                        kind,
                        ALPHA,
                        alpha.valueAt(context.round(), context.totalRounds()),
                        TEMPERATURE,
                        temperature.valueAt(context.round(), context.totalRounds()),
                        FEATURE_WEIGHT,
                        featureWeight,
                        KnowledgeProtocol.WANT_VALIDATION,
                        weighting == ParticipantWeighting.VALIDATION_ACCURACY);
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            List<String> others =
                    latest.keySet().stream().filter(other -> !other.equals(id)).toList();
            PerLabelMeans teacher =
                    PerLabelMeans.weightedMean(
                            kind,
                            others.stream().map(latest::get).toList(),
                            others.stream().map(contributions::get).toList(),
                            weighting,
                            classes,
                            width);
            requests.add(
                    Message.builder(context.round(), TRAIN, id)
                            .optTensors(
                                    teacher.isEmpty() ? TensorRecord.empty() : teacher.toRecord())
                            .optConfig(config)
                            .build());
        }
        ReplySpec spec =
                ReplySpec.tensors(
                        Map.of(
                                kind,
                                new TensorSpec(
                                        new int[] {classes, width}, PerLabelMeans.roleOf(kind)),
                                PerLabelMeans.COUNTS,
                                new TensorSpec(new int[] {classes}, TensorRole.COUNTS)),
                        "examples");
        ExchangeResult result = fleet.exchange(requests, spec);
        int accepted = 0;
        for (Message reply : result.replies()) {
            try {
                PerLabelMeans upload = PerLabelMeans.fromRecord(kind, reply.tensors());
                latest.put(reply.participantId(), upload);
                contributions.put(
                        reply.participantId(),
                        KnowledgeProtocol.contributionOf(reply, PerLabelMeans.COUNTS));
                accepted++;
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "round {}: FD upload of {} rejected: {}",
                        context.round(),
                        reply.participantId(),
                        e.getMessage());
            }
        }
        return Metrics.of("participants_aggregated", accepted);
    }

    private static final String CONTRIBUTION = "contribution";

    /**
     * Holds every participant's latest logits and prototypes and what it reported for weighting.
     */
    @Override
    public TensorRecord snapshot() {
        TensorRecord.Builder snapshot = TensorRecord.builder();
        latestByKind()
                .forEach(
                        (kind, latest) ->
                                latest.forEach(
                                        (id, means) ->
                                                snapshot.putSection(
                                                        kind + "/" + id, means.toRecord())));
        contributions.forEach(
                (id, contribution) ->
                        snapshot.put(CONTRIBUTION + "/" + id, contribution.toTensor()));
        return snapshot.build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        contributions.clear();
        latestByKind()
                .forEach(
                        (kind, latest) -> {
                            latest.clear();
                            snapshot.sections(kind)
                                    .forEach(
                                            (id, record) ->
                                                    latest.put(
                                                            id,
                                                            PerLabelMeans.fromRecord(
                                                                    kind, record)));
                        });
        snapshot.section(CONTRIBUTION)
                .asMap()
                .forEach(
                        (id, tensor) ->
                                contributions.put(
                                        id, ParticipantWeighting.Contribution.fromTensor(tensor)));
    }

    private Map<String, Map<String, PerLabelMeans>> latestByKind() {
        return Map.of(PerLabelMeans.LOGITS, latestLogits, PerLabelMeans.FEATURES, latestFeatures);
    }
}
