package io.fedistill.algorithms.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A fleet of participants whose uploads are fixed per-label means, each reply checked against the
 * strategy's own spec; it keeps every request it received.
 */
public final class ScriptedFleet implements Fleet {
    /** Each participant's upload. */
    public final Map<String, PerLabelMeans> uploads;

    /** Every request received, in order. */
    public final List<Message> received = new ArrayList<>();

    /** How a participant's upload goes on the wire. */
    private final Function<PerLabelMeans, TensorRecord> wire;

    /** Creates the fleet; uploads travel as their means and counts. */
    public ScriptedFleet(Map<String, PerLabelMeans> uploads) {
        this(uploads, PerLabelMeans::toRecord);
    }

    /** Creates the fleet with uploads that travel as {@code wire} writes them. */
    public ScriptedFleet(
            Map<String, PerLabelMeans> uploads, Function<PerLabelMeans, TensorRecord> wire) {
        this.uploads = uploads;
        this.wire = wire;
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
                            .optTensors(wire.apply(uploads.get(request.participantId())))
                            .optMetrics(Metrics.of("examples", 1))
                            .build();
            assertThat(spec.check(request, reply)).as("the strategy's own spec").isEmpty();
            replies.add(reply);
        }
        return new ExchangeResult(replies, List.of(), List.of());
    }
}
