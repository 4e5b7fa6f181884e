package io.fedistill.algorithms.fedkd;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedKD's coordinator: sends the global mentee (and, with compression, the round's SVD energy),
 * rebuilds each participant's mentee from its upload ({@link LowRankUpdate}) and takes their
 * example-weighted mean. Participants are scored on their private mentors; the global mentee is the
 * coordinator's model.
 */
final class FedKdStrategy implements Strategy {
    /** The request to train the mentor and the mentee and upload the mentee. */
    static final MessageType TRAIN = MessageType.of(FedKdSettings.NAME, "train");

    /**
     * The config entry with the energy of the round's truncated SVD, when uploads are compressed.
     */
    static final String ENERGY = "energy";

    private static final Logger LOG = LoggerFactory.getLogger(FedKdStrategy.class);

    private final FedKdSettings settings;
    private TensorRecord global;

    FedKdStrategy(FedKdSettings settings, TensorRecord initial) {
        this.settings = settings;
        this.global = initial;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        ConfigRecord config =
                settings.compressed()
                        ? ConfigRecord.of(
                                ENERGY, settings.energy(context.round(), context.totalRounds()))
                        : ConfigRecord.of();
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            requests.add(
                    Message.builder(context.round(), TRAIN, id)
                            .optTensors(global)
                            .optConfig(config)
                            .build());
        }
        ExchangeResult result = fleet.exchange(requests, ReplySpec.anyTensors("examples"));
        List<TensorRecord> mentees = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        long uploaded = 0;
        for (Message reply : result.replies()) {
            try {
                TensorRecord mentee = LowRankUpdate.reconstruct(global, reply.tensors());
                if (reply.metrics().get("examples") > 0) {
                    mentees.add(mentee);
                    weights.add(reply.metrics().get("examples"));
                    uploaded += valuesIn(reply.tensors());
                }
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "round {}: FedKD upload of {} rejected: {}",
                        context.round(),
                        reply.participantId(),
                        e.getMessage());
            }
        }
        if (mentees.isEmpty()) {
            return Metrics.of("participants_aggregated", 0);
        }
        global =
                WeightedMean.of(
                        mentees, weights.stream().mapToDouble(Double::doubleValue).toArray());
        Metrics metrics = Metrics.of("participants_aggregated", mentees.size());
        // the share of the mentee's values an average upload carried
        return settings.compressed()
                ? metrics.with(
                        "upload_fraction", (double) uploaded / mentees.size() / valuesIn(global))
                : metrics;
    }

    private static long valuesIn(TensorRecord record) {
        long values = 0;
        for (String name : record.names()) {
            values += record.get(name).size();
        }
        return values;
    }

    @Override
    public Optional<TensorRecord> globalModel() {
        return Optional.of(global);
    }

    /** Participants are scored on their private mentors, not on the mentee. */
    @Override
    public boolean participantsRunGlobalModel() {
        return false;
    }

    @Override
    public TensorRecord snapshot() {
        return global;
    }

    @Override
    public void restore(TensorRecord snapshot) {
        global = snapshot;
    }
}
