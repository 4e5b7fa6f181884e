package io.fedistill.algorithms.common;

import io.fedistill.core.aggregate.ExponentialTrust;
import io.fedistill.core.aggregate.LabelPriorCheck;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustResult;
import io.fedistill.core.aggregate.RootReliability;
import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.secagg.SecureSum;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.core.validate.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages of public-data distillation (FedMD, DS-FL, the global student): the coordinator
 * names a public subset by seed and size, participants answer with their class scores on it, and
 * the coordinator sends aggregated targets back for participants to distill.
 *
 * <p>Each algorithm speaks it in its own namespace ({@code dsfl.predict}, {@code fedmd.distill},
 * ...), so a participant routes by message type alone.
 */
public final class KnowledgeProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeProtocol.class);

    /** Reply tensor: the participant's scores on the subset, n x C. */
    public static final String KNOWLEDGE = "knowledge";

    /** Reply tensor: the participant's training examples per class, C. */
    public static final String LABEL_COUNTS = "label_counts";

    /** Request tensor: aggregated targets on the subset, n x C. */
    public static final String TARGETS = "targets";

    /** Reply metric: accuracy on the participant's held-out split (0 unless asked for). */
    public static final String VALIDATION_ACCURACY = "validation_accuracy";

    static final String SUBSET_SEED = "subset_seed";
    static final String SUBSET_SIZE = "subset_size";
    static final String SCORES = "scores";
    static final String TRAIN_FIRST = "train_first";

    /**
     * Request config: whether the participant should measure its held-out accuracy for weighting.
     */
    public static final String WANT_VALIDATION = "want_validation";

    static final String TEMPERATURE = "temperature";
    static final String TARGETS_ARE_LOGITS = "targets_are_logits";
    static final String DISTILL_EPOCHS = "distill_epochs";
    static final String DISTILL_LEARNING_RATE = "distill_learning_rate";
    static final String DISTILL_WEIGHT = "distill_weight";
    static final String REVISIT = "revisit";
    static final String TRANSFER_EPOCHS = "transfer_epochs";

    /**
     * What participants upload: probabilities (DS-FL's soft labels) or logits (FedMD's class
     * scores).
     */
    public enum Scores {
        /** softmax of the logits. */
        PROBABILITIES(TensorRole.PROBABILITIES),
        /** raw logits. */
        LOGITS(TensorRole.LOGITS);

        private final TensorRole role;

        Scores(TensorRole role) {
            this.role = role;
        }

        /** Returns the role the uploaded scores are declared with. */
        public TensorRole role() {
            return role;
        }
    }

    private final MessageType transfer;
    private final MessageType predict;
    private final MessageType distill;

    /**
     * Creates the protocol in an algorithm's namespace: {@code <namespace>.transfer} (learn the
     * labeled public set, then private data), {@code <namespace>.predict} (scores on a subset) and
     * {@code <namespace>.distill} (fit aggregated targets).
     */
    public KnowledgeProtocol(String namespace) {
        this.transfer = MessageType.of(namespace, "transfer");
        this.predict = MessageType.of(namespace, "predict");
        this.distill = MessageType.of(namespace, "distill");
    }

    /** Returns the type of FedMD's transfer-phase request. */
    public MessageType transferType() {
        return transfer;
    }

    /** Returns the type of the request for scores on a public subset. */
    public MessageType predictType() {
        return predict;
    }

    /** Returns the type of the request that sends aggregated targets to distill. */
    public MessageType distillType() {
        return distill;
    }

    /**
     * Asks the round's participants for their scores on a public subset and weighs the usable
     * answers.
     *
     * @param context the round (its seed names the subset)
     * @param fleet the way to reach participants
     * @param subsetSize samples in the subset
     * @param scores what participants upload
     * @param trainFirst whether participants first train a local epoch on their private data
     *     (DS-FL)
     * @param weighting how to weigh participants (decides whether validation accuracy is measured)
     * @param classes number of classes
     * @return the usable scores and their weights (no participants when nobody answered)
     */
    public Collected requestScores(
            RoundContext context,
            Fleet fleet,
            int subsetSize,
            Scores scores,
            boolean trainFirst,
            ParticipantWeighting weighting,
            int classes) {
        ExchangeResult result =
                fleet.exchange(
                        predictRequests(context, subsetSize, scores, trainFirst, weighting),
                        predictionSpec(subsetSize, scores, classes));
        return collect(result, scores, weighting, classes);
    }

    /**
     * What a round asks participants to score on the public subset, and how their scores weigh.
     *
     * @param subsetSize samples in the subset
     * @param scores what participants upload
     * @param trainFirst whether participants first train a local epoch on their private data
     *     (DS-FL)
     * @param weighting how to weigh participants
     * @param classes number of classes
     */
    public record ScoreRequest(
            int subsetSize,
            Scores scores,
            boolean trainFirst,
            ParticipantWeighting weighting,
            int classes) {}

    /**
     * How a round's scores are guarded against bad participants, applied in this order.
     *
     * @param priorCheck whether a participant whose predicted label distribution falls as its
     *     reported label counts rise loses its vote ({@link LabelPriorCheck}; label-free)
     * @param rootLabels the labels the coordinator knows of the subset's first samples, against
     *     which each participant's class weights are scaled by its reliability ({@link
     *     RootReliability}; probabilities only)
     * @param robust the rule that combines the scores
     * @param trust the trust learnt over the rounds: the rule's result is then only the reference
     *     each participant's trust is charged against, and the rule runs again on the weights
     *     scaled by trust (ExpGuard's teacher is the trust-weighted mean; with the median, it is
     *     the trust-weighted median)
     */
    public record Defences(
            boolean priorCheck,
            Optional<int[]> rootLabels,
            RobustAggregation robust,
            Optional<ExponentialTrust> trust) {}

    /**
     * Combines a round's scores and hands the result on: asks for the scores and combines them
     * under the {@code defences}, or learns only their weighted mean by secure aggregation, and
     * gives {@code use} the participants behind the result and the result itself. Returns the
     * metrics {@code use} reports (whose participants include those the defences gave no weight),
     * plus how many participants the prior check left out ({@code participants_flagged}), how many
     * the rule left out ({@code participants_excluded}) or the lowest trust relative to the round's
     * most trusted participant ({@code trust_lowest}); or the metrics of a failed secure sum.
     */
    public Metrics combineScores(
            RoundContext context,
            Fleet fleet,
            ScoreRequest request,
            Defences defences,
            Optional<SecureSumSettings> secure,
            BiFunction<List<String>, float[][], Metrics> use) {
        if (secure.isPresent()) {
            return combineSecureScores(context, fleet, request, secure.get(), use);
        }
        Collected collected =
                requestScores(
                        context,
                        fleet,
                        request.subsetSize(),
                        request.scores(),
                        request.trainFirst(),
                        request.weighting(),
                        request.classes());
        if (collected.participants().isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        Metrics guards = Metrics.empty();
        if (defences.priorCheck()) {
            double[] agreements =
                    LabelPriorCheck.agreements(collected.scores(), collected.labelCounts());
            LOG.info(
                    "round {}: label prior agreement {}",
                    context.round(),
                    describe(collected.participants(), agreements));
            collected =
                    collected.withWeights(LabelPriorCheck.reweigh(agreements, collected.weights()));
            guards = guards.with("participants_flagged", LabelPriorCheck.leftOut(agreements));
        }
        if (defences.rootLabels().isPresent()) {
            collected =
                    collected.withWeights(
                            RootReliability.reweigh(
                                    collected.scores(),
                                    defences.rootLabels().get(),
                                    collected.weights()));
        }
        RobustAggregation robust = defences.robust();
        RobustResult<float[][]> combined = collected.aggregate(robust);
        if (defences.trust().isPresent()) {
            return combineTrusted(
                            context,
                            collected,
                            combined.aggregate(),
                            robust,
                            defences.trust().get(),
                            use)
                    .withAll(guards);
        }
        Metrics metrics = use.apply(collected.participants(), combined.aggregate()).withAll(guards);
        return robust.excludes()
                ? metrics.with("participants_excluded", combined.excluded())
                : metrics;
    }

    private static List<String> describe(List<String> participants, double[] values) {
        List<String> described = new ArrayList<>();
        for (int p = 0; p < values.length; p++) {
            described.add(String.format(Locale.ROOT, "%s=%.3g", participants.get(p), values[p]));
        }
        return described;
    }

    /**
     * Charges each participant's trust against the rule's result {@code reference}, combines the
     * scores again under the rule on the weights scaled by trust, hands that to {@code use}, and
     * adds the lowest relative trust to its metrics; logs every participant's relative trust.
     */
    private static Metrics combineTrusted(
            RoundContext context,
            Collected collected,
            float[][] reference,
            RobustAggregation robust,
            ExponentialTrust trust,
            BiFunction<List<String>, float[][], Metrics> use) {
        List<String> participants = collected.participants();
        Collected trusted =
                collected.withWeights(
                        trust.reweigh(
                                participants, collected.scores(), reference, collected.weights()));
        Map<String, Double> relative = trust.relativeTrust(participants);
        LOG.info(
                "round {}: relative trust {}",
                context.round(),
                describe(participants, participants.stream().mapToDouble(relative::get).toArray()));
        double lowest = relative.values().stream().mapToDouble(Double::doubleValue).min().orElse(1);
        return use.apply(participants, trusted.aggregate(robust).aggregate())
                .with("trust_lowest", lowest);
    }

    /**
     * Asks the selected participants for their scores on the round's subset and learns only their
     * weighted mean, by secure aggregation: each participant's scores, weighted as the request's
     * weighting says (per class for class counts), are summed with the weights alongside. Hands
     * {@code use} the contributors and the mean and returns its metrics, or the metrics of a round
     * without a sum ({@link SecureSum#roundWithoutSum}: nobody held an input, or too few remained
     * at a stage); the run goes on.
     */
    private Metrics combineSecureScores(
            RoundContext context,
            Fleet fleet,
            ScoreRequest request,
            SecureSumSettings secure,
            BiFunction<List<String>, float[][], Metrics> use) {
        String weight =
                switch (request.weighting()) {
                    case UNIFORM -> SecureSum.UNIFORM;
                    case EXAMPLES -> "examples";
                    case VALIDATION_ACCURACY -> VALIDATION_ACCURACY;
                    case CLASS_COUNTS -> SecureSum.PER_CLASS + LABEL_COUNTS;
                };
        List<Message> requests = new ArrayList<>();
        for (Message predict :
                predictRequests(
                        context,
                        request.subsetSize(),
                        request.scores(),
                        request.trainFirst(),
                        request.weighting())) {
            Map<String, Object> config = new LinkedHashMap<>(predict.config().values());
            config.put(SecureSum.WEIGHT, weight);
            requests.add(predict.withConfig(new ConfigRecord(config)));
        }
        List<String> holders =
                fleet
                        .exchange(requests, ReplySpec.metricsOnly("examples", VALIDATION_ACCURACY))
                        .replies()
                        .stream()
                        .map(Message::participantId)
                        .toList();
        TensorRecord layout =
                TensorRecord.of(
                        KNOWLEDGE,
                        Tensor.zeros(request.subsetSize(), request.classes()),
                        request.scores().role());
        int weights =
                request.weighting() == ParticipantWeighting.CLASS_COUNTS ? request.classes() : 1;
        return SecureSum.weightedMean(context, fleet, holders, layout, weights, secure)
                .map(
                        m -> {
                            float[][] mean = m.mean().get(KNOWLEDGE).rows();
                            return use.apply(
                                    m.contributors(),
                                    request.scores() == Scores.PROBABILITIES
                                            ? SoftLabels.normalizeRows(mean)
                                            : mean);
                        })
                .orElse(SecureSum.roundWithoutSum(holders));
    }

    private List<Message> predictRequests(
            RoundContext context,
            int subsetSize,
            Scores scores,
            boolean trainFirst,
            ParticipantWeighting weighting) {
        ConfigRecord config =
                ConfigRecord.of(
                        SUBSET_SEED,
                        context.seed("public-subset"),
                        SUBSET_SIZE,
                        subsetSize,
                        SCORES,
                        scores.name(),
                        TRAIN_FIRST,
                        trainFirst,
                        WANT_VALIDATION,
                        weighting == ParticipantWeighting.VALIDATION_ACCURACY);
        return context.selected().stream()
                .map(id -> Message.builder(context.round(), predict, id).optConfig(config).build())
                .toList();
    }

    private static ReplySpec predictionSpec(int subsetSize, Scores scores, int classes) {
        return ReplySpec.tensors(
                Map.of(
                        KNOWLEDGE,
                        new TensorSpec(new int[] {subsetSize, classes}, scores.role()),
                        LABEL_COUNTS,
                        new TensorSpec(new int[] {classes}, TensorRole.COUNTS)),
                "examples",
                VALIDATION_ACCURACY);
    }

    /**
     * How participants distill the targets they are sent.
     *
     * @param targetsAreLogits whether participants must soften the targets with {@code temperature}
     *     first
     * @param temperature the distillation temperature
     * @param epochs passes over the subset
     * @param revisit whether participants train on their private data afterwards (FedMD's revisit)
     * @param learningRate the participants' learning rate while distilling (0: their training rate)
     * @param weight factor on the distillation loss (a schedule can lower it over the rounds)
     */
    public record DistillStep(
            boolean targetsAreLogits,
            double temperature,
            int epochs,
            boolean revisit,
            double learningRate,
            double weight) {}

    /**
     * Builds the requests that send aggregated targets for the participants to distill.
     *
     * @param context the round (its subset seed names the same subset as the prediction request)
     * @param participants who receives them
     * @param targets the aggregated n x C targets
     * @param step how to distill them
     * @return one request per participant
     */
    public List<Message> distillRequests(
            RoundContext context, List<String> participants, float[][] targets, DistillStep step) {
        ConfigRecord config =
                ConfigRecord.of(
                        SUBSET_SEED,
                        context.seed("public-subset"),
                        SUBSET_SIZE,
                        targets.length,
                        TARGETS_ARE_LOGITS,
                        step.targetsAreLogits(),
                        TEMPERATURE,
                        step.temperature(),
                        DISTILL_EPOCHS,
                        step.epochs(),
                        REVISIT,
                        step.revisit(),
                        DISTILL_LEARNING_RATE,
                        step.learningRate(),
                        DISTILL_WEIGHT,
                        step.weight());
        TensorRecord tensors =
                TensorRecord.of(
                        TARGETS,
                        matrix(targets),
                        step.targetsAreLogits() ? TensorRole.LOGITS : TensorRole.PROBABILITIES);
        return participants.stream()
                .map(
                        id ->
                                Message.builder(context.round(), distill, id)
                                        .optTensors(tensors)
                                        .optConfig(config)
                                        .build())
                .toList();
    }

    /**
     * Builds round-one requests for FedMD's transfer phase: learn the labeled public set, then
     * private data.
     */
    public List<Message> transferRequests(RoundContext context, int transferEpochs) {
        ConfigRecord config = ConfigRecord.of(TRANSFER_EPOCHS, transferEpochs);
        return context.selected().stream()
                .map(id -> Message.builder(context.round(), transfer, id).optConfig(config).build())
                .toList();
    }

    /**
     * Reads what a reply reports for weighting: its {@code examples} metric, its {@link
     * #LABEL_COUNTS} tensor (none when the upload withheld it under differential privacy, which
     * weighs every upload the same) and its {@link #VALIDATION_ACCURACY} metric (0 when absent).
     */
    public static ParticipantWeighting.Contribution contributionOf(Message reply) {
        return contributionOf(reply, LABEL_COUNTS);
    }

    /**
     * Reads a reply's contribution as {@link #contributionOf(Message)} does, its label counts from
     * another tensor.
     */
    public static ParticipantWeighting.Contribution contributionOf(
            Message reply, String labelCountsTensor) {
        float[] counts =
                reply.tensors()
                        .find(labelCountsTensor)
                        .map(Tensor::toFloatArray)
                        .orElse(new float[0]);
        double[] labelCounts = new double[counts.length];
        for (int k = 0; k < counts.length; k++) {
            labelCounts[k] = Math.max(0, counts[k]);
        }
        return new ParticipantWeighting.Contribution(
                reply.metrics().get("examples"),
                labelCounts,
                reply.metrics().find(VALIDATION_ACCURACY).orElse(0));
    }

    private static Collected collect(
            ExchangeResult result, Scores kind, ParticipantWeighting weighting, int classes) {
        List<float[][]> scores = new ArrayList<>();
        List<ParticipantWeighting.Contribution> contributions = new ArrayList<>();
        List<String> participants = new ArrayList<>();
        for (Message reply : result.replies()) {
            scores.add(reply.tensors().get(KNOWLEDGE).rows());
            contributions.add(contributionOf(reply));
            participants.add(reply.participantId());
        }
        double[][] weights =
                scores.isEmpty() ? new double[0][] : weighting.weights(contributions, classes);
        return new Collected(
                participants,
                kind,
                scores,
                contributions.stream().map(ParticipantWeighting.Contribution::labelCounts).toList(),
                weights);
    }

    /**
     * Usable uploads of one round.
     *
     * @param participants who answered
     * @param kind what the scores are
     * @param scores their n x C scores
     * @param labelCounts the label counts each reported (empty where withheld under differential
     *     privacy)
     * @param weights participant x class weights
     */
    public record Collected(
            List<String> participants,
            Scores kind,
            List<float[][]> scores,
            List<double[]> labelCounts,
            double[][] weights) {
        /**
         * Returns the weighted mean of the scores, class by class; a mean of probabilities is
         * rescaled to sum to 1 per sample, since per-class weights do not keep rows normalized.
         */
        public float[][] weightedMean() {
            return aggregate(RobustAggregation.mean()).aggregate();
        }

        /** Returns these uploads with other participant x class weights. */
        public Collected withWeights(double[][] otherWeights) {
            return new Collected(participants, kind, scores, labelCounts, otherWeights);
        }

        /**
         * Returns the scores combined under a rule (the weighted mean reads the weights); combined
         * probabilities are rescaled to rows that sum to 1, as a median's need not.
         */
        public RobustResult<float[][]> aggregate(RobustAggregation rule) {
            return rule.aggregateKnowledge(scores, weights)
                    .map(
                            combined ->
                                    kind == Scores.PROBABILITIES
                                            ? SoftLabels.normalizeRows(combined)
                                            : combined);
        }
    }

    static Tensor matrix(float[][] rows) {
        int n = rows.length;
        int classes = n == 0 ? 0 : rows[0].length;
        float[] flat = new float[n * classes];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, flat, i * classes, classes);
        }
        return Tensor.wrap(new int[] {n, classes}, flat);
    }
}
