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
import java.util.Objects;
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
    private final boolean stateForCoordinator;

    /**
     * Whether the participants share what they learned only through signed secure aggregation
     * ({@link HostedIdentities#signedOnly()}).
     */
    private final boolean learnedOnlyInSecureSums;

    private final Set<MessageType> unchangedTypes = new HashSet<>();

    /**
     * Creates a host whose participants do not attack, hold no identities and keep their state from
     * the coordinator.
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
        this(builder(learners, states, runSeed).optFailures(failures));
    }

    private ParticipantHost(Builder b) {
        this.learners = new LinkedHashMap<>(b.learners);
        this.states = b.states;
        this.runSeed = b.runSeed;
        this.failures = b.failures;
        this.attackers = b.attackers;
        this.secureSums = new SecureSumParticipants(b.identities, b.minimumSecureSumContributors);
        this.stateForCoordinator = b.stateForCoordinator;
        this.learnedOnlyInSecureSums = b.identities.map(HostedIdentities::signedOnly).orElse(false);
    }

    /**
     * Returns a builder of a host for the learners, whose participants keep state between requests
     * in {@code states}.
     */
    public static Builder builder(Map<String, Learner> learners, StateStore states, long runSeed) {
        return new Builder(learners, states, runSeed);
    }

    /** Collects what a host needs beside its learners; every {@code opt} has a default. */
    public static final class Builder {
        private final Map<String, Learner> learners;
        private final StateStore states;
        private final long runSeed;
        private FailureInjection failures = FailureInjection.none();
        private Attackers attackers = Attackers.none();
        private Optional<HostedIdentities> identities = Optional.empty();
        private int minimumSecureSumContributors = 1;
        private boolean stateForCoordinator;

        private Builder(Map<String, Learner> learners, StateStore states, long runSeed) {
            this.learners = Objects.requireNonNull(learners, "learners");
            this.states = Objects.requireNonNull(states, "states");
            this.runSeed = runSeed;
        }

        /** Sets simulated failures (default none). */
        public Builder optFailures(FailureInjection failures) {
            this.failures = Objects.requireNonNull(failures, "failures");
            return this;
        }

        /**
         * Makes some participants attack (simulations only): their replies are tampered with before
         * they leave (default none).
         */
        public Builder optAttackers(Attackers attackers) {
            this.attackers = Objects.requireNonNull(attackers, "attackers");
            return this;
        }

        /**
         * Gives participants signing identities, with which they take part in signed secure
         * aggregation (default none).
         */
        public Builder optIdentities(Optional<HostedIdentities> identities) {
            this.identities = Objects.requireNonNull(identities, "identities");
            return this;
        }

        /**
         * Sets the fewest participants of a hosted participant's neighbourhood, itself included,
         * whose inputs a secure sum of its input must hold (default 1: no limit); a participant
         * refuses smaller rounds and reveals no share for them ({@link SecureSumParticipants});
         * {@link #build} refuses a number below 1.
         */
        public Builder optMinimumSecureSumContributors(int contributors) {
            this.minimumSecureSumContributors = contributors;
            return this;
        }

        /**
         * Hands the participants' state to the coordinator when it asks ({@link MessageType#STATE},
         * {@link MessageType#RESTORE}), for its checkpoints: a simulation's worker processes do. By
         * default a host refuses both, so that a coordinator can neither read a participant's
         * models nor replace them (a participant that joins a deployment).
         */
        public Builder optStateForCheckpoints() {
            this.stateForCoordinator = true;
            return this;
        }

        /** Builds the host. */
        public ParticipantHost build() {
            return new ParticipantHost(this);
        }
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
     * MessageType#RESTORE} (state put back from a checkpoint), when it hands state over ({@link
     * Builder#optStateForCheckpoints}), and the secure-aggregation stages; the learner answers the
     * rest. Participants that share what they learned only through signed secure aggregation refuse
     * a reply with tensors that goes elsewhere ({@link HostedIdentities#signedOnly()}). A learner's
     * exception, an unknown message type, a refusal or a simulated failure becomes an error reply,
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
            if (!stateForCoordinator
                    && (request.type().equals(MessageType.STATE)
                            || request.type().equals(MessageType.RESTORE))) {
                return Message.failure(
                        request,
                        id
                                + " keeps its state to itself: a coordinator may neither read nor"
                                + " replace it");
            }
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
            Message sent = secureSums.withhold(request, UploadPrivacy.apply(request, reply));
            if (learnedOnlyInSecureSums
                    && !sent.isError()
                    && !sent.tensors().isEmpty()
                    && learner.answersFromData(request.type())) {
                return Message.failure(
                        request,
                        id
                                + " shares what it learned only through signed secure aggregation,"
                                + " and "
                                + request.type()
                                + " asks for it in the clear");
            }
            return sent;
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
