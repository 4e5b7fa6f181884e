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
 * secure aggregation. After every round the strategy's metrics gain the {@code epsilon} and {@code
 * delta} spent so far, by the Rényi-DP accountant of the subsampled Gaussian mechanism at the
 * sampling rate it is given: the guarantee holds when participants are selected by Poisson sampling
 * at that rate ({@link io.fedistill.core.coordinator.ParticipantSelector#withPoissonSampling}).
 *
 * <p>The guarantee needs the algorithm to aggregate uploads with equal weights (the sum's
 * sensitivity is then the clip); configurations check that before a run starts.
 */
public final class PrivateStrategy implements Strategy {
    private final Strategy inner;
    private final PrivacySettings settings;
    private final double samplingRate;
    private final RdpAccountant accountant = RdpAccountant.withDefaultOrders();

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
        Metrics metrics = inner.runRound(context, new NoisyFleet(fleet, context));
        RdpAccountant.PrivacySpent spent =
                accountant.epsilon(
                        samplingRate,
                        settings.noiseMultiplier(),
                        context.round(),
                        settings.delta());
        return metrics.with("epsilon", spent.epsilon()).with("delta", spent.delta());
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
        return inner.snapshot();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        inner.restore(snapshot);
    }

    /** The fleet as the wrapped strategy sees it: uploads clipped, and noised. */
    private final class NoisyFleet implements Fleet {
        private final Fleet fleet;
        private final RoundContext context;

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
                asked.add(request.withConfig(new ConfigRecord(config)));
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
