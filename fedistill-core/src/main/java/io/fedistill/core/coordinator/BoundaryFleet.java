package io.fedistill.core.coordinator;

import io.fedistill.core.fleet.Channel;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.message.Message;
import io.fedistill.core.runlog.TrafficLedger;
import io.fedistill.core.validate.ReplySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet a strategy sees in one round: delivers through the runtime backend with the round's
 * deadline, counts bytes, and rejects replies that break their spec.
 */
final class BoundaryFleet implements Fleet {
    private static final Logger LOG = LoggerFactory.getLogger(BoundaryFleet.class);

    private final FleetBackend backend;
    private final int round;
    private final Channel channel;
    private final Duration deadline;
    private final TrafficLedger ledger;
    private final List<ParticipantFailure> failures = new ArrayList<>();

    BoundaryFleet(
            FleetBackend backend,
            int round,
            Channel channel,
            Duration deadline,
            TrafficLedger ledger) {
        this.backend = backend;
        this.round = round;
        this.channel = channel;
        this.deadline = deadline;
        this.ledger = ledger;
    }

    @Override
    public List<String> participantIds() {
        return backend.participantIds();
    }

    @Override
    public Optional<CredentialVerifier> credentialVerifier() {
        return backend.credentialVerifier();
    }

    @Override
    public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
        for (Message request : requests) {
            if (request.round() != round) {
                throw new IllegalArgumentException(
                        "request to "
                                + request.participantId()
                                + " is for round "
                                + request.round()
                                + " but round "
                                + round
                                + " is running");
            }
        }
        ExchangeResult delivered = backend.deliver(requests, spec, deadline);
        ledger.record(round, channel, delivered.transfers());
        Map<String, Message> requestById = new HashMap<>();
        requests.forEach(r -> requestById.put(r.id(), r));
        List<ParticipantFailure> roundFailures = new ArrayList<>(delivered.failures());
        List<Message> usable = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        for (Message reply : delivered.replies()) {
            Message request = reply.replyTo().map(requestById::get).orElse(null);
            Optional<String> problem =
                    request == null
                            ? Optional.of(
                                    "reply from "
                                            + reply.participantId()
                                            + " answers a task never sent")
                            : spec.check(request, reply);
            if (problem.isPresent()) {
                roundFailures.add(
                        new ParticipantFailure(reply.participantId(), round, problem.get()));
            } else {
                usable.add(reply);
                accepted.add(request.id());
            }
        }
        backend.settle(
                accepted,
                requests.stream().map(Message::id).filter(id -> !accepted.contains(id)).toList());
        for (ParticipantFailure failure : roundFailures) {
            LOG.warn(
                    "round {}: participant {} rejected: {}",
                    round,
                    failure.participantId(),
                    failure.reason());
        }
        failures.addAll(roundFailures);
        return new ExchangeResult(usable, roundFailures, delivered.transfers());
    }

    List<ParticipantFailure> failures() {
        return List.copyOf(failures);
    }
}
