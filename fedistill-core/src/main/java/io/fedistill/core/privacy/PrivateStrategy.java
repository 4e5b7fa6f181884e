package io.fedistill.core.privacy;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An algorithm's coordinator half made differentially private at the participant level: every
 * request it sends asks for the upload clipped ({@link UploadPrivacy#CLIP}); in central mode the
 * coordinator adds to each of the m usable replies Gaussian noise of standard deviation {@code
 * noiseMultiplier * clip / sqrt(m)}, so their sum carries noise of {@code noiseMultiplier * clip};
 * in distributed mode each participant adds that share itself ({@link UploadPrivacy#NOISE}), under
 * secure aggregation; a distributed round whose sum holds fewer participants than the shares were
 * sized for (some dropped after they were asked) carried less noise, and is accounted at the noise
 * multiplier it had ({@code noise_multiplier} in its metrics). After every round the strategy's
 * metrics gain the {@code epsilon} and {@code delta} spent so far, by the Rényi-DP accountant of
 * the subsampled Gaussian mechanism at the sampling rate it is given: the guarantee holds when
 * participants are selected by Poisson sampling at that rate ({@link
 * io.fedistill.core.coordinator.ParticipantSelector#withPoissonSampling}).
 *
 * <p>The guarantee needs the algorithm to aggregate uploads with equal weights (the sum's
 * sensitivity is then the clip); configurations check that before a run starts.
 */
public final class PrivateStrategy implements Strategy {
    private final Strategy inner;
    private final PrivacySettings settings;
    private final double samplingRate;
    private final RdpAccountant accountant = RdpAccountant.withDefaultOrders();

    /** The noise multiplier each round's sum actually carried, round 1 first. */
    private final List<Double> noiseMultipliers = new ArrayList<>();

    private static final String INNER = "inner";
    private static final String NOISE_MULTIPLIERS = "privacy_noise_multipliers";

    /**
     * Wraps a strategy.
     *
     * @param inner the algorithm's coordinator half
     * @param settings clip, noise, delta and mode
     * @param samplingRate the probability with which Poisson sampling selects each participant in a
     *     round, in (0, 1]
     */
    public PrivateStrategy(Strategy inner, PrivacySettings settings, double samplingRate) {
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException(
                    "the sampling rate must be in (0, 1], got " + samplingRate);
        }
        this.inner = inner;
        this.settings = settings;
        this.samplingRate = samplingRate;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        // rounds run before a restore that did not record their noise count at the nominal level
        while (noiseMultipliers.size() < context.round() - 1) {
            noiseMultipliers.add(settings.noiseMultiplier());
        }
        NoisyFleet noisy = new NoisyFleet(fleet, context);
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
        List<RdpAccountant.Steps> history = new ArrayList<>();
        for (double sigma : noiseMultipliers) {
            history.add(new RdpAccountant.Steps(samplingRate, sigma, 1));
        }
        RdpAccountant.PrivacySpent spent = accountant.epsilon(history, settings.delta());
        Metrics out = metrics.with("epsilon", spent.epsilon()).with("delta", spent.delta());
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
    public TensorRecord snapshot() {
        float[] sigmas = new float[noiseMultipliers.size()];
        for (int i = 0; i < sigmas.length; i++) {
            sigmas[i] = noiseMultipliers.get(i).floatValue();
        }
        return TensorRecord.builder()
                .putSection(INNER, inner.snapshot())
                .put(NOISE_MULTIPLIERS, Tensor.vector(sigmas))
                .build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        inner.restore(snapshot.section(INNER));
        noiseMultipliers.clear();
        snapshot.find(NOISE_MULTIPLIERS)
                .ifPresent(
                        sigmas -> {
                            for (float sigma : sigmas.toFloatArray()) {
                                noiseMultipliers.add((double) sigma);
                            }
                        });
    }

    /** The fleet as the wrapped strategy sees it: uploads clipped, and noised. */
    private final class NoisyFleet implements Fleet {
        private final Fleet fleet;
        private final RoundContext context;

        /** The most noise shares one exchange asked for: each share's size assumes them all. */
        int sharesSizedFor;

        NoisyFleet(Fleet fleet, RoundContext context) {
            this.fleet = fleet;
            this.context = context;
        }

        @Override
        public List<String> participantIds() {
            return fleet.participantIds();
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            double share =
                    settings.noiseMultiplier()
                            * settings.clip()
                            / Math.sqrt(Math.max(1, requests.size()));
            List<Message> asked = new ArrayList<>();
            int asking = 0;
            for (Message request : requests) {
                if (request.config().getBoolean(UploadPrivacy.EXEMPT, false)) {
                    asked.add(request);
                    continue;
                }
                Map<String, Object> config = new LinkedHashMap<>(request.config().values());
                config.put(UploadPrivacy.CLIP, settings.clip());
                if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED) {
                    config.put(UploadPrivacy.NOISE, share);
                }
                asking++;
                asked.add(request.withConfig(new ConfigRecord(config)));
            }
            if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED) {
                sharesSizedFor = Math.max(sharesSizedFor, asking);
            }
            ExchangeResult result = fleet.exchange(asked, spec);
            if (settings.mode() == PrivacySettings.Mode.DISTRIBUTED) {
                return result;
            }
            double std =
                    settings.noiseMultiplier()
                            * settings.clip()
                            / Math.sqrt(Math.max(1, result.replies().size()));
            Set<String> exempt =
                    requests.stream()
                            .filter(r -> r.config().getBoolean(UploadPrivacy.EXEMPT, false))
                            .map(Message::id)
                            .collect(Collectors.toSet());
            List<Message> noised = new ArrayList<>();
            for (Message reply : result.replies()) {
                noised.add(
                        exempt.contains(reply.replyTo().orElse(""))
                                ? reply
                                : reply.withTensors(noised(reply, std)));
            }
            return new ExchangeResult(noised, result.failures(), result.transfers());
        }

        private TensorRecord noised(Message reply, double std) {
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
                                for (int i = 0; i < values.length; i++) {
                                    values[i] +=
                                            (float)
                                                    (std
                                                            * UploadPrivacy.NOISE_SOURCE
                                                                    .nextGaussian());
                                }
                                out.put(name, Tensor.wrap(tensor.shape(), values), role);
                            });
            return out.build();
        }
    }
}
