package io.fedistill.algorithms.fedavg;

import io.fedistill.core.aggregate.RobustResult;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.privacy.UploadPrivacy;
import io.fedistill.core.secagg.SecureSum;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator half of FedAvg and FedProx: sends the global weights, averages the returned
 * weights by example count, keeps the old model when nobody answered. Without a first global model
 * (a coordinator with no model code) it takes a participant's seeded initial weights.
 */
public final class WeightAveragingStrategy implements Strategy {
    private static final Logger LOG = LoggerFactory.getLogger(WeightAveragingStrategy.class);

    /** Config key of the proximal weight sent with every training request. */
    static final String MU = "mu";

    private final WeightAveragingSettings settings;
    private final MessageType trainType;
    private final MessageType initType;
    private TensorRecord global;

    /**
     * Creates the strategy.
     *
     * @param settings the algorithm's name (requests are {@code <name>.train} and {@code
     *     <name>.init}), proximal weight, aggregation rule and weighting
     * @param initial the first global model; empty when the coordinator has no model code, and the
     *     first round then asks a participant for its seeded initial weights ({@code <name>.init}),
     *     which every participant of the architecture shares
     */
    WeightAveragingStrategy(WeightAveragingSettings settings, Optional<TensorRecord> initial) {
        this.settings = settings;
        this.trainType = trainType(settings.name());
        this.initType = initType(settings.name());
        this.global = initial.orElse(null);
    }

    /** Returns the request to train from the global weights it carries. */
    public static MessageType trainType(String name) {
        return MessageType.of(name, "train");
    }

    /** Returns the request for a participant's seeded initial weights. */
    public static MessageType initType(String name) {
        return MessageType.of(name, "init");
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        if (global == null && !fetchInitial(context, fleet)) {
            return Metrics.of("participants_aggregated", 0);
        }
        if (settings.secure().isPresent()) {
            return runSecureRound(context, fleet, settings.secure().get());
        }
        ExchangeResult result =
                fleet.exchange(
                        trainRequests(context, ConfigRecord.of(MU, settings.mu())),
                        ReplySpec.shapedLike(global, "examples"));
        List<Message> usable =
                result.replies().stream().filter(r -> r.metrics().get("examples") > 0).toList();
        if (usable.isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        double[] weights =
                usable.stream()
                        .mapToDouble(r -> settings.uniform() ? 1 : r.metrics().get("examples"))
                        .toArray();
        RobustResult<TensorRecord> combined =
                settings.robust()
                        .aggregateWeights(usable.stream().map(Message::tensors).toList(), weights);
        global = combined.aggregate();
        Metrics metrics = Metrics.of("participants_aggregated", usable.size());
        return settings.robust().excludes()
                ? metrics.with("participants_excluded", combined.excluded())
                : metrics;
    }

    /**
     * A round whose example-weighted mean is summed by secure aggregation: the participants train
     * and keep their weights; the coordinator learns only their sum (and the total of examples). A
     * round that loses too many participants to reach the threshold keeps the global model.
     */
    private Metrics runSecureRound(RoundContext context, Fleet fleet, SecureSumSettings secure) {
        List<Message> requests =
                trainRequests(
                        context,
                        ConfigRecord.of(
                                MU,
                                settings.mu(),
                                SecureSum.WEIGHT,
                                settings.uniform() ? SecureSum.UNIFORM : "examples"));
        List<String> holders =
                fleet.exchange(requests, ReplySpec.metricsOnly("examples")).replies().stream()
                        .filter(r -> r.metrics().get("examples") > 0)
                        .map(Message::participantId)
                        .toList();
        Optional<SecureSum.Mean> mean =
                SecureSum.weightedMean(context, fleet, holders, global, 1, secure);
        mean.ifPresent(m -> global = m.mean());
        return mean.map(m -> Metrics.of("participants_aggregated", m.contributors().size()))
                .orElse(SecureSum.roundWithoutSum(holders));
    }

    /** Returns the requests to train from the global weights, one per selected participant. */
    private List<Message> trainRequests(RoundContext context, ConfigRecord config) {
        return context.selected().stream()
                .map(
                        id ->
                                Message.builder(context.round(), trainType, id)
                                        .optTensors(global)
                                        .optConfig(config)
                                        .build())
                .toList();
    }

    /**
     * Asks the selected participants, one at a time, for their initial weights until one answers;
     * returns whether one did. One at a time keeps round 1 to one extra model upload; each
     * participant that does not answer costs the round its deadline.
     */
    private boolean fetchInitial(RoundContext context, Fleet fleet) {
        for (String id : context.selected()) {
            // seeded initial weights hold nothing private: no clipping, no noise
            Message request =
                    Message.builder(context.round(), initType, id)
                            .optConfig(ConfigRecord.of(UploadPrivacy.EXEMPT, true))
                            .build();
            List<Message> replies =
                    fleet.exchange(List.of(request), ReplySpec.anyTensors()).replies();
            if (!replies.isEmpty()) {
                global = replies.get(0).tensors();
                LOG.info("{}'s first global model came from {}", settings.name(), id);
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<TensorRecord> globalModel() {
        return Optional.ofNullable(global);
    }

    @Override
    public boolean participantsRunGlobalModel() {
        return settings.participantsRunGlobalModel() && global != null;
    }

    @Override
    public TensorRecord snapshot() {
        return global == null ? TensorRecord.empty() : global;
    }

    @Override
    public void restore(TensorRecord snapshot) {
        if (snapshot.isEmpty()) {
            return; // taken before any model arrived: the first round fetches one, or has one
        }
        global = global == null ? snapshot : global.requireSameLayout(snapshot, "global model");
    }
}
