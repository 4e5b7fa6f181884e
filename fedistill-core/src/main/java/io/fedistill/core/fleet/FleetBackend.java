package io.fedistill.core.fleet;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.message.Message;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a runtime implements to reach participants: the in-process simulation, or the network.
 *
 * <p>A backend delivers every request encoded with the run's codec, waits for replies until the
 * deadline, and reports each message's encoded size. It does not judge reply content; the
 * coordinator's {@link Fleet} does that at the boundary.
 */
public interface FleetBackend extends AutoCloseable {

    /** Returns the ids of every participant this backend can reach, in a stable order. */
    List<String> participantIds();

    /**
     * Delivers requests and collects replies.
     *
     * @param requests one message per participant
     * @param deadline how long to wait for all replies; late participants become failures
     * @return replies (possibly error replies), failures and transfers
     */
    ExchangeResult deliver(List<Message> requests, Duration deadline);

    /**
     * Waits until at least {@code minimum} participants can be reached (a network backend's
     * membership; in process they always can).
     *
     * @return whether they could before the timeout
     */
    default boolean awaitParticipants(int minimum, Duration timeout) throws InterruptedException {
        return participantIds().size() >= minimum;
    }

    /**
     * Delivers requests and collects replies, knowing what a usable reply looks like: a network
     * backend refuses a reply that breaks {@code spec} when it arrives, so the participant learns
     * at once; the coordinator checks every reply against the spec again either way.
     */
    default ExchangeResult deliver(List<Message> requests, ReplySpec spec, Duration deadline) {
        return deliver(requests, deadline);
    }

    /**
     * Settles the requests of one delivery once the coordinator has judged their replies: what a
     * participant stored while answering an accepted request becomes its state; what it stored for
     * any other request (rejected, late, failed) is dropped, so the next task starts from the state
     * of the last accepted one.
     *
     * @param accepted ids of the requests whose replies the coordinator accepted
     * @param rejected ids of the other requests of the delivery
     */
    void settle(List<String> accepted, List<String> rejected);

    /**
     * Returns what the backend keeps between rounds for the tasks it sends (top-k's error feedback
     * going down), for the coordinator's checkpoint; empty when it keeps nothing.
     */
    default TensorRecord snapshot() {
        return TensorRecord.empty();
    }

    /** Restores what {@link #snapshot} returned, before the first round of a resumed run. */
    default void restore(TensorRecord snapshot) {}

    /**
     * Returns what checks the participants' credentials, when they have any (certificates from the
     * federation's authority): signed secure aggregation needs it.
     */
    default Optional<CredentialVerifier> credentialVerifier() {
        return Optional.empty();
    }

    @Override
    default void close() {}
}
