package io.fedistill.core.privacy;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.secagg.SecureSum;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An algorithm's coordinator half made differentially private at the participant level: every
 * request it sends asks for the upload clipped ({@link UploadPrivacy#CLIP}); in central mode the
 * coordinator clips again what arrives above the clip (a participant that did not clip would
 * otherwise break the guarantee; {@code clipped_on_arrival} in the round's metrics counts them),
 * measuring weights in their change from the task as the participant received it (read through the
 * down codec, whose encodings of weights are deterministic), then adds to each of the m usable
 * replies Gaussian noise of standard deviation {@code noiseMultiplier * clip / sqrt(m)}, so their
 * sum carries noise of {@code noiseMultiplier * clip}, and scales each by {@code m / (q N)}
 * (weights in their change from the task's), so that the algorithm's mean of them is their sum over
 * the expected count {@code q N}, DP-FedAvg's fixed denominator, whose noise does not reveal m; in
 * distributed mode each participant adds that share itself ({@link UploadPrivacy#NOISE}), under
 * secure aggregation; a distributed round whose sum holds fewer participants than the shares were
 * sized for (some dropped after they were asked) carried less noise, and is accounted at the noise
 * multiplier it had ({@code noise_multiplier} in its metrics). After every round the strategy's
 * metrics gain the {@code epsilon} and {@code delta} spent so far, by the Rényi-DP accountant of
 * the subsampled Gaussian mechanism at the sampling rate it is given: the guarantee holds when
 * participants are selected by Poisson sampling at that rate ({@link
 * io.fedistill.core.coordinator.ParticipantSelector#withPoissonSampling}). In distributed mode,
 * which guards against the coordinator, it accounts without amplification (rate 1), since the
 * coordinator draws the sample itself.
 *
 * <p>The guarantee needs the algorithm to aggregate uploads with equal weights (the sum's
 * sensitivity is then the clip); configurations check that before a run starts.
 */
public final class PrivateStrategy implements Strategy {
    private final Strategy inner;
    private final PrivacySettings settings;
    private final double samplingRate;
    private final Codec downlink;
    private final RdpAccountant accountant = RdpAccountant.withDefaultOrders();

    /** The noise multiplier each round's sum actually carried, round 1 first. */
    private final List<Double> noiseMultipliers = new ArrayList<>();

    private static final Logger LOG = LoggerFactory.getLogger(PrivateStrategy.class);

    /**
     * How far above the clip an upload's norm may arrive before the coordinator clips it again: the
     * float rounding of an upload its participant clipped.
     */
    private static final double CLIP_TOLERANCE = 1e-4;

    private static final String INNER = "inner";
    private static final String NOISE_MULTIPLIERS = "privacy_noise_multipliers";

    /**
     * Wraps a strategy.
     *
     * @param inner the algorithm's coordinator half
     * @param settings clip, noise, delta and mode
     * @param samplingRate the probability with which Poisson sampling selects each participant in a
     *     round, in (0, 1]
     * @param downlink the codec tasks travel down in, so that the coordinator clips weights in
     *     their change from what participants received, as participants do
     */
    public PrivateStrategy(
            Strategy inner, PrivacySettings settings, double samplingRate, Codec downlink) {
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException(
                    "the sampling rate must be in (0, 1], got " + samplingRate);
        }
        this.inner = inner;
        this.settings = settings;
        this.samplingRate = samplingRate;
        this.downlink = downlink;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        // rounds run before a restore that did not record their noise count at the nominal level
        while (noiseMultipliers.size() < context.round() - 1) {
            noiseMultipliers.add(settings.noiseMultiplier());
        }
        NoisyFleet noisy = new NoisyFleet(fleet);
        Metrics metrics = inner.runRound(context, noisy);
        double noiseMultiplier = settings.noiseMultiplier();
        int contributors = (int) metrics.find("participants_aggregated").orElse(0);
        if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED
                && contributors > 0
                && contributors < noisy.sharesSizedFor) {
            // each share was sized for every participant asked; the dropped ones took theirs along
            noiseMultiplier *= Math.sqrt((double) contributors / noisy.sharesSizedFor);
        }
        noiseMultipliers.subList(context.round() - 1, noiseMultipliers.size()).clear();
        noiseMultipliers.add(noiseMultiplier);
        // the coordinator draws the sample, so against it (distributed mode) nothing is amplified
        double rate = settings.mode() == PrivacySettings.Mode.DISTRIBUTED ? 1 : samplingRate;
        Map<Double, Long> roundsBySigma = new TreeMap<>();
        noiseMultipliers.forEach(sigma -> roundsBySigma.merge(sigma, 1L, Long::sum));
        List<RdpAccountant.Steps> history = new ArrayList<>();
        roundsBySigma.forEach(
                (sigma, count) -> history.add(new RdpAccountant.Steps(rate, sigma, count)));
        RdpAccountant.PrivacySpent spent = accountant.epsilon(history, settings.delta());
        Metrics out = metrics.with("epsilon", spent.epsilon()).with("delta", spent.delta());
        if (noisy.clippedOnArrival > 0) {
            out = out.with("clipped_on_arrival", noisy.clippedOnArrival);
        }
        return noiseMultiplier < settings.noiseMultiplier()
                ? out.with("noise_multiplier", noiseMultiplier)
                : out;
    }

    @Override
    public Optional<TensorRecord> globalModel() {
        return inner.globalModel();
    }

    @Override
    public boolean participantsRunGlobalModel() {
        return inner.participantsRunGlobalModel();
    }

    @Override
    public TensorRecord evaluationPayload() {
        return inner.evaluationPayload();
    }

    @Override
    public TensorRecord snapshot() {
        float[] sigmas = new float[noiseMultipliers.size()];
        for (int i = 0; i < sigmas.length; i++) {
            double sigma = noiseMultipliers.get(i);
            // rounded down, so a restored history never claims more noise than a round had
            float stored = (float) sigma;
            sigmas[i] = stored > sigma ? Math.nextDown(stored) : stored;
        }
        return TensorRecord.builder()
                .putSection(INNER, inner.snapshot())
                .put(NOISE_MULTIPLIERS, Tensor.vector(sigmas))
                .build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        noiseMultipliers.clear();
        if (snapshot.find(NOISE_MULTIPLIERS).isEmpty()) {
            // written before the history was kept: all of it is the wrapped strategy's
            inner.restore(snapshot);
            return;
        }
        inner.restore(snapshot.section(INNER));
        snapshot.find(NOISE_MULTIPLIERS)
                .ifPresent(
                        sigmas -> {
                            for (float sigma : sigmas.toFloatArray()) {
                                noiseMultipliers.add((double) sigma);
                            }
                        });
    }

    /**
     * Returns the metrics a clipped reply keeps: those its spec uses, and the one a secure sum
     * weighs it by.
     */
    private static List<String> keptMetrics(Message request, ReplySpec spec) {
        List<String> kept = new ArrayList<>(spec.usedMetrics());
        String weight = request.config().getString(SecureSum.WEIGHT, "");
        if (!weight.isEmpty() && !weight.equals(SecureSum.UNIFORM) && !weight.contains(":")) {
            kept.add(weight);
        }
        return kept.stream().distinct().toList();
    }

    /** The fleet as the wrapped strategy sees it: uploads clipped, and noised. */
    private final class NoisyFleet implements Fleet {
        private final Fleet fleet;

        /** The most noise shares one exchange asked for: each share's size assumes them all. */
        int sharesSizedFor;

        /**
         * The uploads that arrived above the clip (central mode), which the coordinator clipped.
         */
        int clippedOnArrival;

        NoisyFleet(Fleet fleet) {
            this.fleet = fleet;
        }

        @Override
        public List<String> participantIds() {
            return fleet.participantIds();
        }

        @Override
        public Optional<CredentialVerifier> credentialVerifier() {
            return fleet.credentialVerifier();
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            int asking =
                    (int)
                            requests.stream()
                                    .filter(
                                            r ->
                                                    !r.config()
                                                            .getBoolean(
                                                                    UploadPrivacy.EXEMPT, false))
                                    .count();
            double share =
                    settings.noiseMultiplier() * settings.clip() / Math.sqrt(Math.max(1, asking));
            List<Message> asked = new ArrayList<>();
            for (Message request : requests) {
                if (request.config().getBoolean(UploadPrivacy.EXEMPT, false)) {
                    asked.add(request);
                    continue;
                }
                Map<String, Object> config = new LinkedHashMap<>(request.config().values());
                config.put(UploadPrivacy.CLIP, settings.clip());
                config.put(UploadPrivacy.METRICS, String.join(",", keptMetrics(request, spec)));
                if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED) {
                    config.put(UploadPrivacy.NOISE, share);
                }
                asked.add(request.withConfig(new ConfigRecord(config)));
            }
            if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED) {
                sharesSizedFor = Math.max(sharesSizedFor, asking);
            }
            // a clipped upload withholds its counts (UploadPrivacy)
            ExchangeResult exchanged =
                    fleet.exchange(asked, asking > 0 ? spec.allowingWithheldCounts() : spec);
            Map<String, Message> uploadRequests = new HashMap<>();
            for (Message request : asked) {
                if (!request.config().getBoolean(UploadPrivacy.EXEMPT, false)) {
                    uploadRequests.put(request.id(), request);
                }
            }
            // metrics the coordinator does not need stay out of the run's records, also from a
            // participant that sent them anyway
            ExchangeResult result =
                    new ExchangeResult(
                            exchanged.replies().stream()
                                    .map(
                                            reply -> {
                                                Message request =
                                                        uploadRequests.get(
                                                                reply.replyTo().orElse(""));
                                                return request == null
                                                        ? reply
                                                        : UploadPrivacy.keepingMetrics(
                                                                request, reply);
                                            })
                                    .toList(),
                            exchanged.failures(),
                            exchanged.transfers());
            if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED) {
                return result;
            }
            List<Message> uploads =
                    result.replies().stream()
                            .filter(r -> uploadRequests.containsKey(r.replyTo().orElse("")))
                            .toList();
            double std =
                    settings.noiseMultiplier()
                            * settings.clip()
                            / Math.sqrt(Math.max(1, uploads.size()));
            // DP-FedAvg's fixed denominator: the mean of the m uploads, each scaled by m / (q N),
            // is their sum over the expected count q N, so its noise does not tell m
            double scale =
                    uploads.size() / (samplingRate * Math.max(1, fleet.participantIds().size()));
            List<Message> noised = new ArrayList<>();
            for (Message reply : result.replies()) {
                Message request = uploadRequests.get(reply.replyTo().orElse(""));
                if (request == null) {
                    noised.add(reply);
                    continue;
                }
                // the guarantee rests on the clip: the coordinator enforces it on what arrives,
                // measuring weights from what the participant started from
                Message received = asReceived(request);
                double norm = UploadPrivacy.norm(received, reply);
                if (norm > settings.clip() * (1 + CLIP_TOLERANCE)) {
                    clippedOnArrival++;
                    LOG.warn(
                            "round {}: {} sent an upload of norm {} above the clip {}; clipped on"
                                    + " arrival",
                            reply.round(),
                            reply.participantId(),
                            String.format(Locale.ROOT, "%.4g", norm),
                            settings.clip());
                }
                Message clipped = UploadPrivacy.apply(received, reply, norm);
                noised.add(reply.withTensors(noised(clipped, request.tensors(), std, scale)));
            }
            return new ExchangeResult(noised, result.failures(), result.transfers());
        }

        /** Returns the request with its weights as the participant read them off the wire. */
        private Message asReceived(Message request) {
            if (!downlink.approximates(Direction.DOWN, TensorRole.WEIGHTS)) {
                return request;
            }
            TensorRecord task = request.tensors();
            TensorRecord.Builder received = TensorRecord.builder();
            for (String name : task.names()) {
                TensorRole role = task.role(name);
                received.put(
                        name,
                        role == TensorRole.WEIGHTS
                                ? downlink.asReceived(task.get(name), role, Direction.DOWN)
                                : task.get(name),
                        role);
            }
            return request.withTensors(received.build());
        }

        /**
         * Returns the reply's approximable tensors with noise added and scaled by {@code scale}:
         * weights in their change from the task's weights of the same name, the rest as they are.
         */
        private TensorRecord noised(Message reply, TensorRecord task, double std, double scale) {
            TensorRecord.Builder out = TensorRecord.builder();
            reply.tensors()
                    .asMap()
                    .forEach(
                            (name, tensor) -> {
                                TensorRole role = reply.tensors().role(name);
                                if (!role.approximable()) {
                                    out.put(name, tensor, role);
                                    return;
                                }
                                float[] values = tensor.toFloatArray();
                                Optional<Tensor> reference =
                                        UploadPrivacy.base(reply.tensors(), name, task);
                                for (int i = 0; i < values.length; i++) {
                                    double base =
                                            reference.isPresent() ? reference.get().get(i) : 0;
                                    double noisy =
                                            values[i]
                                                    + std
                                                            * UploadPrivacy.NOISE_SOURCE
                                                                    .nextGaussian();
                                    values[i] = (float) (base + (noisy - base) * scale);
                                }
                                out.put(name, Tensor.wrap(tensor.shape(), values), role);
                            });
            return out.build();
        }
    }
}
