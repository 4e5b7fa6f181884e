package io.fedistill.algorithms.localonly;

import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.validate.ReplySpec;
import java.util.List;

/**
 * The coordinator half of local-only training, the baseline: it asks every selected participant to
 * train one more local epoch and exchanges nothing else.
 */
public final class LocalOnlyStrategy implements Strategy {
    /** The name used in configs. */
    public static final String NAME = "local-only";

    /** The request to train one more local epoch. */
    static final MessageType TRAIN = MessageType.of(NAME, "train");

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        List<Message> requests =
                context.selected().stream()
                        .map(id -> Message.builder(context.round(), TRAIN, id).build())
                        .toList();
        int trained = fleet.exchange(requests, ReplySpec.metricsOnly("examples")).replies().size();
        return Metrics.of("participants_trained", trained);
    }
}
