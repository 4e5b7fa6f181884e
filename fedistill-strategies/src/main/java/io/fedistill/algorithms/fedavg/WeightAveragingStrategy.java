package io.fedistill.algorithms.fedavg;

import io.fedistill.core.aggregate.WeightedMean;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator half of FedAvg and FedProx: sends the global weights, averages the returned
 * weights by example count, keeps the old model when nobody answered.
 */
final class WeightAveragingStrategy implements Strategy {
    /** Config key of the proximal weight sent with every training request. */
    static final String MU = "mu";

    private final MessageType trainType;
    private TensorRecord global;
    private final double mu;

    WeightAveragingStrategy(MessageType trainType, TensorRecord initial, double mu) {
        this.trainType = trainType;
        this.global = initial;
        this.mu = mu;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        ConfigRecord config = ConfigRecord.of(MU, mu);
        List<Message> requests =
                context.selected().stream()
                        .map(
                                id ->
                                        Message.builder(context.round(), trainType, id)
                                                .optTensors(global)
                                                .optConfig(config)
                                                .build())
                        .toList();
        ExchangeResult result = fleet.exchange(requests, ReplySpec.shapedLike(global, "examples"));
        List<Message> usable =
                result.replies().stream().filter(r -> r.metrics().get("examples") > 0).toList();
        if (!usable.isEmpty()) {
            double[] weights =
                    usable.stream().mapToDouble(r -> r.metrics().get("examples")).toArray();
            global = WeightedMean.of(usable.stream().map(Message::tensors).toList(), weights);
        }
        return Metrics.of("participants_aggregated", usable.size());
    }

    @Override
    public Optional<TensorRecord> globalModel() {
        return Optional.of(global);
    }

    @Override
    public TensorRecord snapshot() {
        return global;
    }

    @Override
    public void restore(TensorRecord snapshot) {
        global = global.requireSameLayout(snapshot, "global model");
    }
}
