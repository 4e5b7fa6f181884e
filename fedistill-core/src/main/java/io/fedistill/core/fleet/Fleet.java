package io.fedistill.core.fleet;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.message.Message;
import io.fedistill.core.validate.ReplySpec;
import java.util.List;
import java.util.Optional;

/**
 * The only way a strategy reaches participants: send messages, get validated replies.
 *
 * <p>Every reply is checked against a {@link ReplySpec}; a reply that breaks it becomes a {@link
 * ParticipantFailure} and the exchange goes on with the others. Bytes are counted for the round.
 */
public interface Fleet {

    /** Returns every participant of the federation, in a stable order. */
    List<String> participantIds();

    /**
     * Sends one message per participant and returns the replies that satisfy {@code spec}.
     *
     * @param requests the messages, each addressed to one participant
     * @param spec what a usable reply looks like
     * @return usable replies, failures and transfers
     */
    ExchangeResult exchange(List<Message> requests, ReplySpec spec);

    /**
     * Returns what checks the participants' credentials, when they have any (certificates from the
     * federation's authority): signed secure aggregation needs it.
     */
    default Optional<CredentialVerifier> credentialVerifier() {
        return Optional.empty();
    }
}
