package io.fedistill.algorithms.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fleet of participants whose uploads are fixed per-label means, each reply checked against the
 * strategy's own spec; it keeps every request it received.
 */
public final class ScriptedFleet implements Fleet {
    /** Each participant's upload. */
    public final Map<String, PerLabelMeans> uploads;

    /** Every request received, in order. */
    public final List<Message> received = new ArrayList<>();

    /** Creates the fleet. */
    public ScriptedFleet(Map<String, PerLabelMeans> uploads) {
        this.uploads = uploads;
    }

    @Override
    public List<String> participantIds() {
        return List.copyOf(uploads.keySet());
    }

    @Override
    public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
        received.addAll(requests);
        List<Message> replies = new ArrayList<>();
        for (Message request : requests) {
            Message reply =
                    request.reply()
                            .optTensors(uploads.get(request.participantId()).toRecord())
                            .optMetrics(Metrics.of("examples", 1))
                            .build();
            assertThat(spec.check(request, reply)).as("the strategy's own spec").isEmpty();
            replies.add(reply);
        }
        return new ExchangeResult(replies, List.of(), List.of());
    }
}
