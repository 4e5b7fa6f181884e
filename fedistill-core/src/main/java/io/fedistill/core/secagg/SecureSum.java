package io.fedistill.core.secagg;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.core.validate.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * reply carries metrics only. {@link #run} then drives the four stages of Bonawitz et al. with the
 * participants that hold an input ({@code secagg.advertise}, {@code secagg.share}, {@code
 * secagg.mask}, {@code secagg.unmask}, answered by the hosts' {@link SecureSumParticipants}), and
 * {@link #weightedMean} turns the sum into the weighted mean of the uploads.
 */
public final class SecureSum {
    /** The config entry of a task whose upload is to be summed securely: the weight's metric. */
    public static final String WEIGHT = "fedistill.secure_weight";

    /** The {@link #WEIGHT} of uploads that all weigh the same. */
    public static final String UNIFORM = "uniform";

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
     * Sums the inputs the holders staged this round.
     *
     * @param context the round
     * @param fleet the way to reach the holders
     * @param holders the participants whose upload was accepted, in a stable order
     * @param length the length of every input
     * @param settings threshold, neighbourhood and clipping
     * @return the sum and its contributors
     * @throws SecAggAbortedException when fewer than the threshold remain at a stage; the round
     *     learns nothing, and the run can go on
     */
    public static Result run(
            RoundContext context,
            Fleet fleet,
            List<String> holders,
            int length,
            SecureSumSettings settings) {
        SecAggConfig config = settings.config(holders.size(), length);
        SecAggRound round =
                new SecAggRound(context.round(), holders, context.seed("secagg-neighbourhood"));
        SecAggServer server = new SecAggServer(config, round);
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put(SecureSumWire.ROSTER, SecureSumWire.join(holders));
        setup.put(SecureSumWire.THRESHOLD, (long) config.threshold());
        setup.put(SecureSumWire.DEGREE, (long) settings.neighbours());
        setup.put(SecureSumWire.NEIGHBOURHOOD_SEED, round.neighbourhoodSeed());
        setup.put(SecureSumWire.CLIP, (double) settings.clip());
        setup.put(SecureSumWire.VECTOR_LENGTH, (long) length);

        stage(
                fleet,
                context,
                holders,
                id -> setup,
                SecureSumWire.ADVERTISE,
                ReplySpec.metricsOnly(),
                reply ->
                        server.receiveKeys(
                                SecureSumWire.keys(
                                        reply.config(),
                                        context.round(),
                                        reply.participantId(),
                                        false)));
        Map<String, List<AdvertisedKeys>> keysFor = server.endAdvertising();

        stage(
                fleet,
                context,
                List.copyOf(keysFor.keySet()),
                id -> {
                    Map<String, Object> keys = new LinkedHashMap<>();
                    keysFor.get(id).forEach(k -> SecureSumWire.putKeys(keys, k, true));
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

        Map<String, Object> request = new LinkedHashMap<>();
        SecureSumWire.putUnmaskingRequest(request, unmasking);
        stage(
                fleet,
                context,
                unmasking.survivors(),
                id -> request,
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
     * layout}: the sum's last value is the total weight.
     *
     * @throws IllegalArgumentException when the sum does not fit the layout or its weight is not
     *     positive
     */
    public static TensorRecord weightedMean(float[] sum, TensorRecord layout) {
        if (sum.length != layout.elementCount() + 1) {
            throw new IllegalArgumentException(
                    "a sum of "
                            + sum.length
                            + " values does not hold "
                            + layout.elementCount()
                            + " values and their weight");
        }
        double total = sum[sum.length - 1];
        if (!(total > 0)) {
            throw new IllegalArgumentException("the summed weight is " + total + ", not positive");
        }
        TensorRecord.Builder mean = TensorRecord.builder();
        int offset = 0;
        for (Map.Entry<String, Tensor> e : layout.asMap().entrySet()) {
            float[] values = new float[e.getValue().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (sum[offset + i] / total);
            }
            offset += values.length;
            mean.put(
                    e.getKey(), Tensor.wrap(e.getValue().shape(), values), layout.role(e.getKey()));
        }
        return mean.build();
    }

    /** Returns a reply's tensors times its weight, flattened in order, then the weight. */
    static float[] weightedInput(TensorRecord tensors, double weight) {
        float[] input = new float[(int) tensors.elementCount() + 1];
        int offset = 0;
        for (Tensor tensor : tensors.asMap().values()) {
            for (int i = 0; i < tensor.size(); i++) {
                input[offset + i] = (float) (tensor.get(i) * weight);
            }
            offset += tensor.size();
        }
        input[offset] = (float) weight;
        return input;
    }
}
