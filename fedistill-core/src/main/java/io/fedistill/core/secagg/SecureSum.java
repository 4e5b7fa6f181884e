package io.fedistill.core.secagg;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.core.validate.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure aggregation as a service strategies call: the coordinator learns the sum of what its
 * participants hold and nothing of any one of them.
 *
 * <p>A strategy asks for an upload with the config entry {@link #WEIGHT} naming the metric to weigh
 * it by (e.g. {@code examples}): the participant's host then keeps the reply's tensors, each
 * multiplied by that weight and followed by the weight itself, instead of sending them, and the
 * reply carries metrics only. {@link #run} then drives the stages of Bonawitz et al. with the
 * participants that hold an input ({@code secagg.advertise}, {@code secagg.share}, {@code
 * secagg.mask}, in signed rounds {@code secagg.confirm}, and {@code secagg.unmask}, answered by the
 * hosts' {@link SecureSumParticipants}), and {@link #weightedMean} turns the sum into the weighted
 * mean of the uploads.
 */
public final class SecureSum {
    /** The config entry of a task whose upload is to be summed securely: the weight's metric. */
    public static final String WEIGHT = "fedistill.secure_weight";

    /** The {@link #WEIGHT} of uploads that all weigh the same. */
    public static final String UNIFORM = "uniform";

    /**
     * The prefix of a {@link #WEIGHT} that weighs each class by a counts tensor of the upload,
     * named after it: {@code per-class:label_counts}.
     */
    public static final String PER_CLASS = "per-class:";

    /**
     * The prefix of a {@link #WEIGHT} that weighs each row (a label's means) by a counts tensor of
     * the upload, named after it: {@code per-label:counts}. The sum then holds per-label sums and
     * the summed counts.
     */
    public static final String PER_LABEL = "per-label:";

    private static final Logger LOG = LoggerFactory.getLogger(SecureSum.class);

    private SecureSum() {}

    /**
     * The sum secure aggregation revealed.
     *
     * @param values the sum of the contributors' inputs, decoded from fixed point
     * @param contributors whose inputs it holds
     */
    public record Result(float[] values, List<String> contributors) {
        /** Copies the values and contributors. */
        public Result {
            values = values.clone();
            contributors = List.copyOf(contributors);
        }

        @Override
        public float[] values() {
            return values.clone();
        }
    }

    /**
     * Returns the metrics of a round that got no sum ({@link #attempt} was empty): nobody
     * aggregated, and, when somebody held an input, the secure sum aborted ({@code
     * secure_aborted}); a round in which nobody held one (e.g. an empty Poisson draw, or everyone
     * dropped out before uploading) did not abort, as a round without replies does not without
     * secure aggregation.
     *
     * @param holders the participants that held an input, as given to {@link #attempt}
     */
    public static Metrics roundWithoutSum(List<String> holders) {
        return holders.isEmpty()
                ? Metrics.of("participants_aggregated", 0)
                : Metrics.of("participants_aggregated", 0, "secure_aborted", 1);
    }

    /**
     * Sums the inputs the holders staged this round.
     *
     * @param context the round
     * @param fleet the way to reach the holders
     * @param holders the participants whose upload was accepted, in a stable order
     * @param length the length of every input
     * @param settings threshold, neighbourhood and clipping
     * @return the sum and its contributors
     * @throws SecAggAbortedException when fewer than the threshold hold inputs or remain at a
     *     stage; the round learns nothing, and the run can go on
     * @throws IllegalArgumentException when the settings cannot describe a round (a bug or a config
     *     that validation should have refused), or ask for signed rounds of a fleet whose
     *     participants have no credentials; neither aborts the round quietly
     */
    public static Result run(
            RoundContext context,
            Fleet fleet,
            List<String> holders,
            int length,
            SecureSumSettings settings) {
        if (holders.size() < 2) {
            throw new SecAggAbortedException(
                    context.round(),
                    SecAggStage.ADVERTISE_KEYS,
                    holders.size(),
                    2,
                    "participant(s) holding an input");
        }
        SecAggConfig config = settings.config(holders.size(), length);
        int closed = config.neighbourhood().closedNeighbourhoodSize(holders.size());
        if (closed < config.threshold()) {
            throw new SecAggAbortedException(
                    context.round(),
                    SecAggStage.ADVERTISE_KEYS,
                    closed,
                    config.threshold(),
                    "participants in the smallest neighbourhood");
        }
        SecAggRound round =
                new SecAggRound(context.round(), holders, context.seed("secagg-neighbourhood"));
        SecAggServer server =
                new SecAggServer(
                        config,
                        round,
                        settings.signed()
                                ? fleet.credentialVerifier()
                                        .orElseThrow(
                                                () ->
                                                        new IllegalArgumentException(
                                                                "signed secure aggregation needs"
                                                                        + " participants with"
                                                                        + " certificates from the"
                                                                        + " federation's authority;"
                                                                        + " this fleet's participants"
                                                                        + " have none"))
                                : null);
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put(SecureSumWire.ROSTER, SecureSumWire.join(holders));
        setup.put(SecureSumWire.THRESHOLD, (long) config.threshold());
        setup.put(SecureSumWire.DEGREE, (long) settings.neighbours());
        setup.put(SecureSumWire.NEIGHBOURHOOD_SEED, round.neighbourhoodSeed());
        setup.put(SecureSumWire.CLIP, (double) settings.clip());
        setup.put(SecureSumWire.VECTOR_LENGTH, (long) length);
        setup.put(SecureSumWire.SIGNED, settings.signed());

        // a participant notes the credentials of its neighbours its host verified in earlier
        // rounds; they are not forwarded to it again
        Map<String, Map<String, String>> heldCredentials = new HashMap<>();
        stage(
                fleet,
                context,
                holders,
                id -> setup,
                SecureSumWire.ADVERTISE,
                ReplySpec.metricsOnly(),
                reply -> {
                    Map<String, String> held = SecureSumWire.heldCredentials(reply.config());
                    server.receiveKeys(
                            SecureSumWire.keys(
                                    reply.config(), context.round(), reply.participantId()));
                    heldCredentials.put(reply.participantId(), held);
                });
        Map<String, List<AdvertisedKeys>> keysFor = server.endAdvertising();
        Map<String, String> digests = new HashMap<>();
        keysFor.values().stream()
                .flatMap(List::stream)
                .filter(AdvertisedKeys::isSigned)
                .forEach(
                        k ->
                                digests.computeIfAbsent(
                                        k.participantId(),
                                        id -> SecureSumWire.credentialDigest(k.credential())));

        stage(
                fleet,
                context,
                List.copyOf(keysFor.keySet()),
                id -> {
                    Map<String, Object> keys = new LinkedHashMap<>();
                    Map<String, String> held = heldCredentials.getOrDefault(id, Map.of());
                    for (AdvertisedKeys k : keysFor.get(id)) {
                        boolean holds =
                                k.isSigned()
                                        && digests.get(k.participantId())
                                                .equals(held.get(k.participantId()));
                        SecureSumWire.putKeys(keys, k, true, !holds);
                    }
                    return keys;
                },
                SecureSumWire.SHARE,
                ReplySpec.metricsOnly(),
                reply ->
                        server.receiveShares(
                                new ShareBundle(
                                        context.round(),
                                        reply.participantId(),
                                        SecureSumWire.shares(
                                                reply.config(),
                                                context.round(),
                                                reply.participantId(),
                                                false))));
        Map<String, List<EncryptedShares>> sharesFor = server.endSharing();

        stage(
                fleet,
                context,
                List.copyOf(sharesFor.keySet()),
                id -> {
                    Map<String, Object> shares = new LinkedHashMap<>();
                    SecureSumWire.putShares(shares, sharesFor.get(id), true);
                    return shares;
                },
                SecureSumWire.MASK,
                ReplySpec.tensors(
                        Map.of(
                                SecureSumWire.MASKED,
                                new TensorSpec(new int[] {2 * length}, TensorRole.WORDS))),
                reply ->
                        server.receiveMaskedVector(
                                new MaskedVector(
                                        context.round(),
                                        reply.participantId(),
                                        SecureSumWire.vector(reply))));
        UnmaskingRequest unmasking = server.endMasking();

        if (config.signed()) {
            Map<String, Object> survivors = new LinkedHashMap<>();
            SecureSumWire.putUnmaskingRequest(survivors, unmasking);
            stage(
                    fleet,
                    context,
                    unmasking.survivors(),
                    id -> survivors,
                    SecureSumWire.CONFIRM,
                    ReplySpec.metricsOnly(),
                    reply ->
                            server.receiveSurvivorSignature(
                                    SecureSumWire.survivorSignature(
                                            reply.config(),
                                            context.round(),
                                            reply.participantId())));
            unmasking = server.endConsistencyCheck();
        }
        List<String> unmaskers =
                config.signed()
                        ? unmasking.signatures().stream().map(SurvivorSignature::signer).toList()
                        : unmasking.survivors();
        Map<String, Map<String, Object>> requests = new LinkedHashMap<>();
        for (String id : unmaskers) {
            Map<String, Object> request = new LinkedHashMap<>();
            // in SecAgg+ each participant gets the signatures it can check, its neighbours'
            SecureSumWire.putUnmaskingRequest(
                    request, config.signed() ? server.unmaskingRequestFor(id) : unmasking);
            requests.put(id, request);
        }
        stage(
                fleet,
                context,
                unmaskers,
                requests::get,
                SecureSumWire.UNMASK,
                ReplySpec.metricsOnly(),
                reply ->
                        server.receiveUnmaskingShares(
                                new UnmaskingShares(
                                        context.round(),
                                        reply.participantId(),
                                        SecureSumWire.revealed(reply.config()))));
        SecAggResult sum = server.sum();
        return new Result(config.fixedPoint().decode(sum.sum()), sum.contributors());
    }

    /**
     * The weighted mean of a round's uploads as secure aggregation revealed it.
     *
     * @param mean laid out as the layout it was asked for
     * @param contributors whose uploads it holds
     */
    public record Mean(TensorRecord mean, List<String> contributors) {
        /** Copies the contributors. */
        public Mean {
            contributors = List.copyOf(contributors);
        }
    }

    /**
     * Runs secure aggregation over the holders' weighted uploads and returns their weighted mean
     * ({@link #weightedMean(float[], TensorRecord)}), or empty, with one log line saying why, when
     * the round cannot have one (too few participants at a stage): the strategy then keeps what it
     * had, and the run goes on.
     *
     * @param layout the summed tensors' names, shapes and roles
     * @param weights how many weights follow the values: 1, or one per class
     */
    public static Optional<Mean> weightedMean(
            RoundContext context,
            Fleet fleet,
            List<String> holders,
            TensorRecord layout,
            int weights,
            SecureSumSettings settings) {
        return attempt(
                        context,
                        fleet,
                        holders,
                        Math.toIntExact(layout.elementCount() + weights),
                        settings)
                .map(sum -> new Mean(weightedMean(sum.values(), layout), sum.contributors()));
    }

    /**
     * Runs secure aggregation ({@link #run}), or returns empty when the round cannot have a sum: no
     * participant holds an input (a Poisson draw may select none; one line at info level), or too
     * few hold one or remain at a stage (one warning naming the stage). The strategy then keeps
     * what it had, and the run goes on; any other error is not taken for an aborted round.
     */
    public static Optional<Result> attempt(
            RoundContext context,
            Fleet fleet,
            List<String> holders,
            int length,
            SecureSumSettings settings) {
        if (holders.isEmpty()) {
            LOG.info("round {}: no participant holds an input to sum securely", context.round());
            return Optional.empty();
        }
        try {
            return Optional.of(run(context, fleet, holders, length, settings));
        } catch (SecAggAbortedException e) {
            LOG.warn("{}", e.getMessage());
            return Optional.empty();
        }
    }

    /** What a stage sends each participant. */
    private interface StageConfig {
        Map<String, Object> of(String participantId);
    }

    /**
     * Sends one stage's requests and hands each usable reply to the server; a reply the server
     * refuses counts as a participant that dropped out, with one log line saying why.
     */
    private static void stage(
            Fleet fleet,
            RoundContext context,
            List<String> to,
            StageConfig config,
            MessageType type,
            ReplySpec spec,
            Consumer<Message> receive) {
        List<Message> requests = new ArrayList<>();
        for (String id : to) {
            requests.add(
                    Message.builder(context.round(), type, id)
                            .optConfig(new ConfigRecord(config.of(id)))
                            .build());
        }
        ExchangeResult result = fleet.exchange(requests, spec);
        for (Message reply : result.replies()) {
            try {
                receive.accept(reply);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "round {}: {} of {} refused: {}",
                        context.round(),
                        type,
                        reply.participantId(),
                        e.getMessage());
            }
        }
    }

    /**
     * Returns the weighted mean of the uploads a sum of weighted inputs holds, laid out as {@code
     * layout} (the summed tensors: those of approximable roles): after the values come the summed
     * weights, one (a scalar weight) or one per class (the last dimension of every tensor). A class
     * no participant weighed gets zeros.
     *
     * @throws IllegalArgumentException when the sum does not fit the layout or its weights are not
     *     positive
     */
    public static TensorRecord weightedMean(float[] sum, TensorRecord layout) {
        long values = layout.elementCount();
        int weights = (int) (sum.length - values);
        int columns = weights == 1 ? 1 : lastDimension(layout);
        if (weights < 1 || (weights != 1 && weights != columns)) {
            throw new IllegalArgumentException(
                    "a sum of "
                            + sum.length
                            + " values does not hold "
                            + values
                            + " values and their weights");
        }
        if (weights == 1 && !(sum[sum.length - 1] > 0)) {
            throw new IllegalArgumentException(
                    "the summed weight is " + sum[sum.length - 1] + ", not positive");
        }
        TensorRecord.Builder mean = TensorRecord.builder();
        int offset = 0;
        for (Map.Entry<String, Tensor> e : layout.asMap().entrySet()) {
            float[] out = new float[e.getValue().size()];
            for (int i = 0; i < out.length; i++) {
                double total = sum[(int) values + (weights == 1 ? 0 : i % columns)];
                out[i] = total > 0 ? (float) (sum[offset + i] / total) : 0f;
            }
            offset += out.length;
            mean.put(e.getKey(), Tensor.wrap(e.getValue().shape(), out), layout.role(e.getKey()));
        }
        return mean.build();
    }

    private static int lastDimension(TensorRecord layout) {
        int columns = -1;
        for (Tensor tensor : layout.asMap().values()) {
            int[] shape = tensor.shape();
            int last = shape.length == 0 ? 1 : shape[shape.length - 1];
            if (columns >= 0 && last != columns) {
                throw new IllegalArgumentException(
                        "per-class weights need every summed tensor to end in the classes");
            }
            columns = last;
        }
        return columns;
    }

    /**
     * Returns what a participant contributes to a secure sum: each approximable tensor of its reply
     * (counts and exact values stay out) times its weight, flattened in order, then the weight.
     * {@code weight} is {@link #UNIFORM}, a metric's name, or {@link #PER_CLASS} and a counts
     * tensor's name, whose entries weigh the classes (the last dimension) one by one.
     *
     * @throws IllegalArgumentException when the weight names no metric or tensor of the reply
     */
    static float[] weightedInput(Message reply, String weight) {
        TensorRecord tensors = reply.tensors();
        boolean byRow = weight.startsWith(PER_LABEL);
        float[] perClass =
                weight.startsWith(PER_CLASS) || byRow
                        ? tensors.get(weight.substring(weight.indexOf(':') + 1)).toFloatArray()
                        : new float[] {
                            weight.equals(UNIFORM) ? 1f : (float) reply.metrics().get(weight)
                        };
        List<Tensor> summed = new ArrayList<>();
        for (String name : tensors.names()) {
            if (tensors.role(name).approximable()) {
                summed.add(tensors.get(name));
            }
        }
        long length = perClass.length;
        for (Tensor tensor : summed) {
            length += tensor.size();
        }
        float[] input = new float[Math.toIntExact(length)];
        int offset = 0;
        for (Tensor tensor : summed) {
            int rowLength = Math.max(1, tensor.size() / perClass.length);
            for (int i = 0; i < tensor.size(); i++) {
                float factor = byRow ? perClass[i / rowLength] : perClass[i % perClass.length];
                input[offset + i] = tensor.get(i) * factor;
            }
            offset += tensor.size();
        }
        System.arraycopy(perClass, 0, input, offset, perClass.length);
        return input;
    }
}
