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
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedKD's coordinator: sends the global mentee, rebuilds each participant's mentee from its upload
 * ({@link LowRankUpdate}) and takes their example-weighted mean. Participants are scored on their
 * private mentors; the global mentee is the coordinator's model.
 *
 * <p>With compression both directions travel as truncated-SVD factors at the round's energy, as in
 * the paper: a participant that kept the mentee it started from in the previous round (its reply
 * was accepted) gets the change from that mentee to the global one as factors ({@link #BASE_ROUND}
 * names the round), any other participant (new, absent or failed last round) the same starting
 * mentee whole. So every participant starts from one mentee, the coordinator's rebuilt copy of the
 * factors, and uploads its change from it. A round that selects no such keeper has nothing to send
 * as factors: everyone gets the exact global mentee whole. Compressed downloads travel as exact
 * values, so no lossy download codec can make a participant's mentee differ from the coordinator's.
 */
final class FedKdStrategy implements Strategy {
    /** The request to train the mentor and the mentee and upload the mentee. */
    static final MessageType TRAIN = MessageType.of(FedKdSettings.NAME, "train");

    /** The config entry with the energy of the round's truncated SVD, when compressed. */
    static final String ENERGY = "energy";

    /**
     * The config entry with the round whose starting mentee a compressed download is a change from.
     */
    static final String BASE_ROUND = "base_round";

    private static final String GLOBAL_SECTION = "global";
    private static final String START_SECTION = "start";
    private static final String KEEPERS_SECTION = "keepers";

    private static final Logger LOG = LoggerFactory.getLogger(FedKdStrategy.class);

    private final FedKdSettings settings;
    private TensorRecord global;

    /**
     * The mentee the last round's participants started from: the global one as the keepers rebuilt
     * it from the factors, or exactly when the round compressed nothing.
     */
    private TensorRecord start;

    /** The participants that keep {@link #start}: whose replies the last round accepted. */
    private Set<String> keepers = Set.of();

    FedKdStrategy(FedKdSettings settings, TensorRecord initial) {
        this.settings = settings;
        this.global = initial;
        this.start = initial;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        double energy = settings.energy(context.round(), context.totalRounds());
        // the change is compressed only for participants that keep the last start; when none of
        // them is selected, everyone starts from the exact global mentee
        boolean compressing =
                settings.compressed() && context.selected().stream().anyMatch(keepers::contains);
        TensorRecord change = compressing ? TruncatedSvd.compress(global, start, energy) : global;
        TensorRecord begin = compressing ? LowRankUpdate.reconstruct(start, change) : global;
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            Message.Builder request = Message.builder(context.round(), TRAIN, id);
            if (!settings.compressed()) {
                request.optTensors(global);
            } else if (keepers.contains(id)) {
                request.optTensors(change.withRole(TensorRole.EXACT))
                        .optConfig(
                                ConfigRecord.of(
                                        ENERGY, energy, BASE_ROUND, (long) context.round() - 1));
            } else {
                request.optTensors(begin.withRole(TensorRole.EXACT))
                        .optConfig(ConfigRecord.of(ENERGY, energy));
            }
            requests.add(request.build());
        }
        ExchangeResult result = fleet.exchange(requests, ReplySpec.anyTensors("examples"));
        start = begin;
        keepers = result.replies().stream().map(Message::participantId).collect(Collectors.toSet());
        List<TensorRecord> mentees = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        long uploaded = 0;
        for (Message reply : result.replies()) {
            try {
                TensorRecord mentee = LowRankUpdate.reconstruct(begin, reply.tensors());
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

    /**
     * Returns the global mentee and, with compression, the mentee the last round started from and
     * who keeps it (a section of one-value tensors named by participant), since participants' state
     * is restored with the same round.
     */
    @Override
    public TensorRecord snapshot() {
        TensorRecord.Builder snapshot = TensorRecord.builder().putSection(GLOBAL_SECTION, global);
        if (settings.compressed()) {
            TensorRecord.Builder kept = TensorRecord.builder();
            keepers.stream()
                    .sorted()
                    .forEach(
                            id ->
                                    kept.put(
                                            id,
                                            Tensor.wrap(new int[] {1}, new float[] {1}),
                                            TensorRole.EXACT));
            snapshot.putSection(START_SECTION, start).putSection(KEEPERS_SECTION, kept.build());
        }
        return snapshot.build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        if (snapshot.section(GLOBAL_SECTION).isEmpty()
                || settings.compressed() == snapshot.section(START_SECTION).isEmpty()) {
            throw new IllegalArgumentException(
                    "the checkpoint is not a FedKD snapshot "
                            + (settings.compressed() ? "with" : "without")
                            + " svd (written by an older fedistill, or with svd switched since)");
        }
        global = global.requireSameLayout(snapshot.section(GLOBAL_SECTION), "global mentee");
        start =
                settings.compressed()
                        ? start.requireSameLayout(
                                snapshot.section(START_SECTION), "starting mentee")
                        : global;
        keepers = Set.copyOf(snapshot.section(KEEPERS_SECTION).names());
    }
}
