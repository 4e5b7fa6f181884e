package io.fedistill.core.fleet;

import io.fedistill.core.message.Message;
import java.util.List;

/**
 * What one exchange with participants produced: the usable replies, the participants that gave
 * none, and the bytes that travelled.
 *
 * @param replies usable replies, in request order
 * @param failures participants without a usable reply
 * @param transfers the encoded size of every message sent and received
 */
public record ExchangeResult(
        List<Message> replies, List<ParticipantFailure> failures, List<Transfer> transfers) {
    /** Freezes the lists. */
    public ExchangeResult {
        replies = List.copyOf(replies);
        failures = List.copyOf(failures);
        transfers = List.copyOf(transfers);
    }
}
