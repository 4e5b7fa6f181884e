package io.fedistill.core.participant;

import io.fedistill.core.attack.Attackers;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.privacy.UploadPrivacy;
import io.fedistill.core.secagg.SecureSumParticipants;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The participants one process hosts, whatever the transport: answers a request with the learner of
 * the participant it is addressed to, on the state staged for that request, and commits or drops
 * that state when the coordinator settles the request. Used by the in-process fleet and by the
 * network agent alike, so both run participants the same way.
 *
 * <p>Not thread-safe in its answering: the engine allows one gradient collector per process, so a
 * host answers one request at a time.
 */
public final class ParticipantHost {
    /** The logging context key under which a participant's log lines carry its id. */
    public static final String PARTICIPANT_LOG_KEY = "participant";

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantHost.class);

    private final Map<String, Learner> learners;
    private final StateStore states;
    private final long runSeed;
    private final FailureInjection failures;
    private final Attackers attackers;
    private final SecureSumParticipants secureSums;
    private final Set<MessageType> unchangedTypes = new HashSet<>();

    /**
     * Creates the host.
     *
     * @param learners each hosted participant's learner, in a stable order
     * @param states where participants keep state between requests
     * @param runSeed the run seed
     * @param failures simulated failures ({@link FailureInjection#none()} outside simulations)
     */
    public ParticipantHost(
            Map<String, Learner> learners,
            StateStore states,
            long runSeed,
            FailureInjection failures) {
        this(learners, states, runSeed, failures, Attackers.none());
    }

    /**
     * Creates a host some of whose participants attack (simulations only): their replies are
     * tampered with before they leave.
     *
     * @param learners each hosted participant's learner, in a stable order
     * @param states where participants keep state between requests
     * @param runSeed the run seed
     * @param failures simulated failures
     * @param attackers which participants attack, and how
     */
    public ParticipantHost(
            Map<String, Learner> learners,
            StateStore states,
            long runSeed,
            FailureInjection failures,
            Attackers attackers) {
        this(learners, states, runSeed, failures, attackers, Optional.empty());
    }

    /**
     * Creates a host whose participants may hold signing identities, with which they take part in
     * signed secure aggregation (and in no other).
     *
     * @param learners each hosted participant's learner, in a stable order
     * @param states where participants keep state between requests
     * @param runSeed the run seed
     * @param failures simulated failures
     * @param attackers which participants attack, and how
     * @param identities the hosted participants' signing identities and the verifier of others'
     */
    public ParticipantHost(
            Map<String, Learner> learners,
            StateStore states,
            long runSeed,
            FailureInjection failures,
            Attackers attackers,
            Optional<HostedIdentities> identities) {
        this.learners = new LinkedHashMap<>(learners);
        this.states = states;
        this.runSeed = runSeed;
        this.failures = failures;
        this.attackers = attackers;
        this.secureSums = new SecureSumParticipants(identities);
    }

    /** Returns the hosted participants' ids, in order. */
    public List<String> participantIds() {
        return List.copyOf(learners.keySet());
    }

    /** Returns whether this host holds the participant. */
    public boolean hosts(String participantId) {
        return learners.containsKey(participantId);
    }

    /**
     * Opens the state a request will be answered on; call before handing the request to another
     * thread, so that a newer request to the same participant supersedes an older one in order.
     */
    public ParticipantState open(Message request) {
        return states.open(request.participantId(), request.id(), request.round());
    }

    /**
     * Answers a request on the state {@link #open} returned for it. The host itself answers {@link
     * MessageType#STATE} (the state committed since the last such request) and {@link
     * MessageType#RESTORE} (state put back from a checkpoint); the learner answers the rest. A
     * learner's exception, an unknown message type or a simulated failure becomes an error reply,
     * never an exception.
     */
    public Message answer(Message request, ParticipantState state) {
        String id = request.participantId();
        Learner learner = learners.get(id);
        if (learner == null) {
            return Message.failure(request, "participant " + id + " is not hosted here");
        }
        MDC.put(PARTICIPANT_LOG_KEY, id);
        try {
            if (request.type().equals(MessageType.STATE)) {
                return request.reply()
                        .optTensors(StateEntries.toTensors(states.drainChanges(id), states.codec()))
                        .build();
            }
            if (request.type().equals(MessageType.RESTORE)) {
                states.restore(
                        id,
                        StateEntries.fromTensors(request.tensors(), states.codec()),
                        request.round());
                return request.reply().build();
            }
            if (!request.type().equals(MessageType.EVALUATE)
                    && failures.fails(id, request.round(), runSeed)) {
                throw new IllegalStateException(
                        "simulated failure of " + id + " in round " + request.round());
            }
            if (SecureSumParticipants.handles(request.type())) {
                return secureSums.answer(request);
            }
            Message trained = learner.handle(request, new ParticipantContext(id, runSeed, state));
            Message reply = attackers.tamper(trained, runSeed);
            if (!unchangedTypes.contains(reply.type()) && attackers.leftUnchanged(trained, reply)) {
                unchangedTypes.add(reply.type());
                LOG.warn(
                        "attack {} changes nothing {} replies hold (roles {}): they leave as"
                                + " trained, and the run measures no attack on them",
                        attackers.attack().orElseThrow().kind().configName(),
                        reply.type(),
                        reply.tensors().names().stream()
                                .map(name -> reply.tensors().role(name).name())
                                .distinct()
                                .toList());
            }
            return secureSums.withhold(request, UploadPrivacy.apply(request, reply));
        } catch (RuntimeException e) {
            return Message.failure(request, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            MDC.remove(PARTICIPANT_LOG_KEY);
        }
    }

    /** Commits what accepted requests staged and drops what the others staged. */
    public void settle(List<String> accepted, List<String> rejected) {
        accepted.forEach(states::commit);
        rejected.forEach(states::discard);
    }

    /**
     * Drops state committed after {@code round}: called when a restarted coordinator resumes after
     * that round.
     */
    public void rewind(int round) {
        states.rewind(round);
    }

    /** Returns the state store. */
    public StateStore states() {
        return states;
    }
}
