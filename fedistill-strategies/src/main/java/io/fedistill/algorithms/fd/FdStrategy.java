package io.fedistill.algorithms.fd;

import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.secagg.SecureSum;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.core.validate.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FD's coordinator: keeps each participant's latest per-label logits (or, in an optional first
 * stage, per-label feature prototypes) and sends every selected participant the weighted mean of
 * everybody else's (count-weighted by default; or their median or trimmed mean, label by label), so
 * its own contribution never teaches it.
 */
final class FdStrategy implements Strategy {
    /** The request to train toward the others' per-label means and upload one's own. */
    static final MessageType TRAIN = MessageType.of("fd", "train");

    static final String ALPHA = "alpha";
    static final String TEMPERATURE = "temperature";
    static final String STAGE = "stage";
    static final String FEATURE_WEIGHT = "feature_weight";

    /**
     * Config of a secure round's request: whether the global means it carries include the
     * participant's own last upload, which it must then leave out of its teacher itself.
     */
    static final String SUBTRACT_OWN = "subtract_own";

    /** Config of a secure round's request: the round whose sum the global means it carries are. */
    static final String MEANS_ROUND = "means_round";

    /** The tensor under which a participant keeps the round of its last upload. */
    static final String OWN_ROUND = "round";

    /** Where a participant of secure FD keeps its last upload of a kind, to leave it out. */
    static final String OWN_UPLOAD = "fd-own-";

    private static final String SECURE = "secure";
    private static final String INCLUDED = "included";

    private static final Logger LOG = LoggerFactory.getLogger(FdStrategy.class);

    private final int classes;
    private final FdSettings settings;
    private final int featureWidth;
    private final Map<String, PerLabelMeans> latestLogits = new TreeMap<>();
    private final Map<String, PerLabelMeans> latestFeatures = new TreeMap<>();
    private final Map<String, ParticipantWeighting.Contribution> contributions = new TreeMap<>();

    /** Secure FD's last global means of each kind, and whose uploads they hold. */
    private final Map<String, PerLabelMeans> secureMeans = new TreeMap<>();

    private final Map<String, Set<String>> secureContributors = new TreeMap<>();

    private final Map<String, Integer> secureRounds = new TreeMap<>();

    /**
     * Creates the coordinator; with a feature stage ({@link FdSettings#featureRounds}) participants
     * first exchange per-label feature means ({@code featureWidth} wide) instead of logits.
     */
    FdStrategy(int classes, FdSettings settings, int featureWidth) {
        this.classes = classes;
        this.settings = settings;
        this.featureWidth = featureWidth;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        boolean featureStage = context.round() <= settings.featureRounds();
        String kind = featureStage ? PerLabelMeans.FEATURES : PerLabelMeans.LOGITS;
        int width = featureStage ? featureWidth : classes;
        Map<String, PerLabelMeans> latest = featureStage ? latestFeatures : latestLogits;
        ConfigRecord config =
                ConfigRecord.of(
                        STAGE,
                        kind,
                        ALPHA,
                        settings.alpha().valueAt(context.round(), context.totalRounds()),
                        TEMPERATURE,
                        settings.temperature().valueAt(context.round(), context.totalRounds()),
                        FEATURE_WEIGHT,
                        settings.featureWeight(),
                        KnowledgeProtocol.WANT_VALIDATION,
                        settings.weighting() == ParticipantWeighting.VALIDATION_ACCURACY);
        if (settings.secure().isPresent()) {
            return runSecureRound(context, fleet, kind, width, config);
        }
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            PerLabelMeans teacher =
                    PerLabelMeans.ofOthers(
                            id,
                            kind,
                            latest,
                            contributions::get,
                            settings.weighting(),
                            settings.robust(),
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

    /**
     * A round whose per-label sums and counts are summed by secure aggregation: every participant
     * gets the last global means (and whether they include its own upload) and keeps its upload for
     * the secure sum; the new global means are the sums over the counts.
     */
    private Metrics runSecureRound(
            RoundContext context, Fleet fleet, String kind, int width, ConfigRecord config) {
        PerLabelMeans global = secureMeans.get(kind);
        Set<String> included = secureContributors.getOrDefault(kind, Set.of());
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            Map<String, Object> asked = new LinkedHashMap<>(config.values());
            asked.put(SecureSum.WEIGHT, SecureSum.PER_LABEL + PerLabelMeans.COUNTS);
            asked.put(SUBTRACT_OWN, included.contains(id));
            asked.put(MEANS_ROUND, (long) secureRounds.getOrDefault(kind, 0));
            requests.add(
                    Message.builder(context.round(), TRAIN, id)
                            .optTensors(global == null ? TensorRecord.empty() : global.toRecord())
                            .optConfig(new ConfigRecord(asked))
                            .build());
        }
        List<String> holders =
                fleet.exchange(requests, ReplySpec.metricsOnly("examples")).replies().stream()
                        .map(Message::participantId)
                        .toList();
        Optional<SecureSum.Result> sum =
                SecureSum.attempt(
                        context,
                        fleet,
                        holders,
                        classes * width + classes,
                        settings.secure().get());
        if (sum.isEmpty()) {
            return SecureSum.roundWithoutSum(holders);
        }
        float[] values = sum.get().values();
        float[][] sums = new float[classes][width];
        int[] counts = new int[classes];
        for (int c = 0; c < classes; c++) {
            // counts come back within fixed-point rounding of whole numbers
            counts[c] = Math.max(0, Math.round(values[classes * width + c]));
            System.arraycopy(values, c * width, sums[c], 0, width);
        }
        secureMeans.put(kind, PerLabelMeans.fromSums(kind, sums, counts, width));
        secureContributors.put(kind, new TreeSet<>(sum.get().contributors()));
        secureRounds.put(kind, context.round());
        return Metrics.of("participants_aggregated", sum.get().contributors().size());
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
        secureMeans.forEach(
                (kind, means) -> snapshot.putSection(SECURE + "/" + kind, means.toRecord()));
        secureRounds.forEach(
                (kind, round) -> snapshot.put(MEANS_ROUND + "/" + kind, Tensor.vector(round)));
        secureContributors.forEach(
                (kind, ids) ->
                        ids.forEach(
                                id ->
                                        snapshot.put(
                                                INCLUDED + "/" + kind + "/" + id,
                                                Tensor.vector(1))));
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
        secureMeans.clear();
        secureContributors.clear();
        secureRounds.clear();
        snapshot.section(MEANS_ROUND)
                .asMap()
                .forEach((kind, round) -> secureRounds.put(kind, (int) round.get(0)));
        snapshot.sections(SECURE)
                .forEach(
                        (kind, record) ->
                                secureMeans.put(kind, PerLabelMeans.fromRecord(kind, record)));
        for (String kind : List.of(PerLabelMeans.LOGITS, PerLabelMeans.FEATURES)) {
            Set<String> ids = snapshot.section(INCLUDED + "/" + kind).names();
            if (!ids.isEmpty()) {
                secureContributors.put(kind, new TreeSet<>(ids));
            }
        }
    }

    private Map<String, Map<String, PerLabelMeans>> latestByKind() {
        return Map.of(PerLabelMeans.LOGITS, latestLogits, PerLabelMeans.FEATURES, latestFeatures);
    }
}
