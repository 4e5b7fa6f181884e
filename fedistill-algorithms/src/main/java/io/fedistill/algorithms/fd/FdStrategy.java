package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.Schedule;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageKind;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FD's coordinator: keeps each participant's latest per-label logits (or, in an optional first
 * stage, per-label feature prototypes) and sends every selected participant the count-weighted
 * mean of everybody else's, so its own contribution never teaches it.
 */
final class FdStrategy implements Strategy {
    private static final Logger LOG = LoggerFactory.getLogger(FdStrategy.class);

    private final int classes;
    private final Schedule alpha;
    private final Schedule temperature;
    private final int featureRounds;
    private final double featureWeight;
    private final int featureWidth;
    private final Map<String, PerLabelMeans> latestLogits = new TreeMap<>();
    private final Map<String, PerLabelMeans> latestFeatures = new TreeMap<>();

    FdStrategy(int classes, Schedule alpha, Schedule temperature) {
        this(classes, alpha, temperature, 0, 0, 0);
    }

    /**
     * Creates the coordinator with a feature stage: for the first {@code featureRounds} rounds
     * participants exchange per-label feature means ({@code featureWidth} wide) instead of logits.
     */
    FdStrategy(int classes, Schedule alpha, Schedule temperature, int featureRounds, double featureWeight,
            int featureWidth) {
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
        ConfigRecord config = ConfigRecord.of(
                FdAlgorithm.STAGE, kind,
                FdAlgorithm.ALPHA, alpha.valueAt(context.round(), context.totalRounds()),
                FdAlgorithm.TEMPERATURE, temperature.valueAt(context.round(), context.totalRounds()),
                FdAlgorithm.FEATURE_WEIGHT, featureWeight);
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            List<PerLabelMeans> others = latest.entrySet().stream()
                    .filter(e -> !e.getKey().equals(id)).map(Map.Entry::getValue).toList();
            PerLabelMeans teacher = PerLabelMeans.weightedMean(kind, others, classes, width);
            requests.add(Message.builder(context.round(), MessageKind.TRAIN, id)
                    .optTensors(teacher.isEmpty() ? TensorRecord.empty() : teacher.toRecord())
                    .optConfig(config).build());
        }
        ReplySpec spec = ReplySpec.tensors(
                Map.of(kind, new int[] {classes, width}, PerLabelMeans.COUNTS, new int[] {classes}), "examples");
        ExchangeResult result = fleet.exchange(requests, spec);
        int accepted = 0;
        for (Message reply : result.replies()) {
            try {
                latest.put(reply.participantId(), PerLabelMeans.fromRecord(kind, reply.tensors()));
                accepted++;
            } catch (IllegalArgumentException e) {
                LOG.warn("round {}: FD upload of {} rejected: {}", context.round(), reply.participantId(), e.getMessage());
            }
        }
        return Metrics.of("participants_aggregated", accepted);
    }
}
