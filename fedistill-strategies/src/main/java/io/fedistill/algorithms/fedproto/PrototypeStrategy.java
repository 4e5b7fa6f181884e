package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.PerLabelMeans;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of the prototype exchange (FedProto, FedTGP): sends every selected participant
 * the global prototypes, collects each one's per-class feature means after its local training, and
 * has the {@link PrototypeAggregator} turn them into the next global prototypes. A class no upload
 * of the round holds keeps its previous prototype. Evaluation requests carry the global prototypes
 * when participants classify by them. With logit distillation ({@link
 * FedProtoSettings#distillsLogits}) it also keeps every participant's latest per-label mean logits
 * and sends each the count-weighted mean of everybody else's, as FD's coordinator does. Under
 * {@link FedProtoSettings#clipRows} the uploads' rows are clipped class by class before the
 * aggregator sees them.
 */
public final class PrototypeStrategy implements Strategy {
    /** The config entry with lambda, the weight of the prototype distance in local training. */
    public static final String PROTOTYPE_WEIGHT = "prototype_weight";

    /** The config entry with the cross-entropy weight beside logit distillation. */
    public static final String LOGIT_ALPHA = "logit_alpha";

    /** The config entry with the logit distillation's temperature. */
    public static final String LOGIT_TEMPERATURE = "logit_temperature";

    /** The section of a training request that holds the others' per-label mean logits. */
    public static final String TEACHER = "teacher";

    /** The section of an upload that holds the participant's per-label mean logits. */
    public static final String LOGITS = "logits";

    private static final Logger LOG = LoggerFactory.getLogger(PrototypeStrategy.class);
    private static final String GLOBAL = "global";
    private static final String AGGREGATOR = "aggregator";

    private final int classes;
    private final int width;
    private final FedProtoSettings settings;
    private final PrototypeAggregator aggregator;
    private PerLabelMeans global;
    private final Map<String, PerLabelMeans> latestLogits = new TreeMap<>();

    PrototypeStrategy(
            int classes, int width, FedProtoSettings settings, PrototypeAggregator aggregator) {
        this.classes = classes;
        this.width = width;
        this.settings = settings;
        this.aggregator = aggregator;
    }

    /** Returns the message type of an algorithm's training request: {@code <algorithm>.train}. */
    public static MessageType trainType(String algorithm) {
        return MessageType.of(algorithm, "train");
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        ConfigRecord config =
                settings.distillsLogits()
                        ? ConfigRecord.of(
                                PROTOTYPE_WEIGHT,
                                settings.prototypeWeight(),
                                LOGIT_ALPHA,
                                settings.logitAlpha(),
                                LOGIT_TEMPERATURE,
                                settings.logitTemperature())
                        : ConfigRecord.of(PROTOTYPE_WEIGHT, settings.prototypeWeight());
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            TensorRecord.Builder tensors = TensorRecord.builder();
            if (global != null) {
                tensors.putAll(global.toRecord());
            }
            if (settings.distillsLogits()) {
                PerLabelMeans teacher = logitTeacherOf(id);
                if (!teacher.isEmpty()) {
                    tensors.putSection(TEACHER, teacher.toRecord());
                }
            }
            requests.add(
                    Message.builder(context.round(), trainType(settings.algorithm()), id)
                            .optTensors(tensors.build())
                            .optConfig(config)
                            .build());
        }
        ExchangeResult result = fleet.exchange(requests, uploadSpec());
        List<PrototypeUpload> uploads = new ArrayList<>();
        List<ParticipantWeighting.Contribution> contributions = new ArrayList<>();
        for (Message reply : result.replies()) {
            try {
                PrototypeUpload upload = PrototypeUpload.fromRecord(reply.tensors());
                if (upload.prototypes().isEmpty()) {
                    continue; // no class behind it: nothing to aggregate
                }
                ParticipantWeighting.Contribution contribution =
                        KnowledgeProtocol.contributionOf(reply, PerLabelMeans.COUNTS);
                if (settings.distillsLogits()) {
                    latestLogits.put(
                            reply.participantId(),
                            PerLabelMeans.fromRecord(
                                    PerLabelMeans.LOGITS, reply.tensors().section(LOGITS)));
                }
                uploads.add(upload);
                contributions.add(contribution);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "round {}: {} prototypes of {} rejected: {}",
                        context.round(),
                        settings.algorithm(),
                        reply.participantId(),
                        e.getMessage());
            }
        }
        if (uploads.isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        PerLabelMeans.ClippedRows clipped =
                PrototypeUpload.clippedPrototypes(uploads, settings.clipRows());
        PrototypeAggregator.Result aggregated =
                aggregator.aggregate(
                        context.round(),
                        PrototypeUpload.withPrototypes(uploads, clipped.parts()),
                        contributions);
        global = keepingUnheldClasses(aggregated.prototypes());
        return aggregated
                .metrics()
                .withAll(clipped.metrics())
                .with("participants_aggregated", uploads.size());
    }

    /**
     * Returns the others' count-weighted per-label mean logits, a participant's teacher; the counts
     * that weigh them are those their logits came with. Under a robust rule, the others' rows of
     * each label combined by it instead.
     */
    private PerLabelMeans logitTeacherOf(String id) {
        return PerLabelMeans.ofOthers(
                id,
                PerLabelMeans.LOGITS,
                latestLogits,
                other ->
                        new ParticipantWeighting.Contribution(
                                0,
                                Arrays.stream(latestLogits.get(other).counts())
                                        .asDoubleStream()
                                        .toArray(),
                                0),
                ParticipantWeighting.CLASS_COUNTS,
                settings.robust(),
                classes,
                classes);
    }

    /**
     * Returns the spec of a prototype upload: a {@code classes x width} table of features with the
     * samples behind each row and the presence weights ({@link PrototypeUpload}), and, with logit
     * distillation, a {@code classes x classes} table of per-label mean logits with their counts; a
     * participant whose model has another feature width is refused naming the expected shape.
     */
    ReplySpec uploadSpec() {
        Map<String, TensorSpec> tensors = new HashMap<>();
        tensors.put(
                PerLabelMeans.FEATURES,
                new TensorSpec(new int[] {classes, width}, TensorRole.FEATURES));
        tensors.put(PerLabelMeans.COUNTS, new TensorSpec(new int[] {classes}, TensorRole.COUNTS));
        tensors.put(
                PrototypeUpload.PRESENCE,
                new TensorSpec(new int[] {classes}, TensorRole.PROBABILITIES));
        if (settings.distillsLogits()) {
            tensors.put(
                    LOGITS + "/" + PerLabelMeans.LOGITS,
                    new TensorSpec(new int[] {classes, classes}, TensorRole.LOGITS));
            tensors.put(
                    LOGITS + "/" + PerLabelMeans.COUNTS,
                    new TensorSpec(new int[] {classes}, TensorRole.COUNTS));
        }
        return ReplySpec.tensors(tensors, "examples");
    }

    private PerLabelMeans keepingUnheldClasses(PerLabelMeans fresh) {
        if (global == null) {
            return fresh.isEmpty() ? null : fresh;
        }
        float[][] means = new float[classes][];
        int[] counts = new int[classes];
        for (int c = 0; c < classes; c++) {
            boolean held = fresh.counts()[c] > 0;
            means[c] = (held ? fresh : global).means()[c].clone();
            counts[c] = (held ? fresh : global).counts()[c];
        }
        return new PerLabelMeans(PerLabelMeans.FEATURES, means, counts);
    }

    /** The global prototypes, for participants that classify by them. */
    @Override
    public TensorRecord evaluationPayload() {
        return settings.inference().usesPrototypes() && global != null
                ? global.toRecord()
                : TensorRecord.empty();
    }

    @Override
    public TensorRecord snapshot() {
        TensorRecord.Builder snapshot =
                TensorRecord.builder().putSection(AGGREGATOR, aggregator.snapshot());
        if (global != null) {
            snapshot.putSection(GLOBAL, global.toRecord());
        }
        latestLogits.forEach(
                (id, logits) -> snapshot.putSection(LOGITS + "/" + id, logits.toRecord()));
        return snapshot.build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        TensorRecord stored = snapshot.section(GLOBAL);
        global = stored.isEmpty() ? null : PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, stored);
        aggregator.restore(snapshot.section(AGGREGATOR));
        latestLogits.clear();
        if (settings.distillsLogits()) { // logits a run with the teacher kept teach nobody else
            snapshot.sections(LOGITS)
                    .forEach(
                            (id, record) ->
                                    latestLogits.put(
                                            id,
                                            PerLabelMeans.fromRecord(
                                                    PerLabelMeans.LOGITS, record)));
        }
    }
}
