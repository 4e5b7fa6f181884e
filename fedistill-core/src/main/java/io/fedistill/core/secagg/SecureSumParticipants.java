package io.fedistill.core.secagg;

import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.identity.SigningIdentity;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.tensor.TensorRecord;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The participant side of {@link SecureSum} for the participants one host holds: keeps the input a
 * task asked to be summed securely instead of sending it, and answers the secure-aggregation stages
 * for it. Keys and seeds come from a {@link SecureRandom}, fresh each round; none of it is stored
 * or checkpointed. A participant with a {@link SigningIdentity} signs the rounds that are signed,
 * and refuses unsigned ones when its host says so ({@link HostedIdentities#signedOnly()}); it takes
 * part in at most one signed secure sum per round, each of a later round than the last, as long as
 * this object lives (a coordinator restarted from a checkpoint gets no sum from it for the round it
 * repeats; a coordinator that numbers rounds as it likes is not stopped by this).
 *
 * <p>A participant may also set the fewest contributors a sum of its input must have, itself
 * included, counted in its closed neighbourhood (everyone in full SecAgg), the participants whose
 * keys it sees: it refuses a round whose neighbourhood is smaller, and reveals no share for a
 * survivor list with fewer survivors there. The coordinator learns the sum of the survivors'
 * inputs, so in a sum of two, a coordinator that colludes with the other contributor reads this
 * one's input; the coordinator's threshold does not stop that, as the coordinator sets it.
 *
 * <p>The host keeps the neighbours' credentials its participants verified in signed rounds. A
 * participant notes, with its keys, the digests of those of its neighbourhood and its own, and the
 * coordinator forwards those neighbours' keys without the credential; each is verified again
 * whenever it is used.
 */
public final class SecureSumParticipants {
    private static final Set<MessageType> STAGES =
            Set.of(
                    SecureSumWire.ADVERTISE,
                    SecureSumWire.SHARE,
                    SecureSumWire.MASK,
                    SecureSumWire.CONFIRM,
                    SecureSumWire.UNMASK);

    /** An input waiting for its round's secure sum. */
    private record Input(int round, float[] values) {}

    /**
     * One participant's secure aggregation in progress.
     *
     * @param heldCredentials the credentials of its closed neighbourhood it noted holding when it
     *     advertised its keys (signed rounds; empty otherwise)
     */
    private record Session(
            SecAggParticipant participant,
            SecAggConfig config,
            Input input,
            Set<String> closedNeighbourhood,
            Map<String, byte[]> heldCredentials) {}

    private static final Logger LOG = LoggerFactory.getLogger(SecureSumParticipants.class);

    private final Map<String, Input> inputs = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Optional<HostedIdentities> identities;
    private final int minimumContributors;

    /**
     * The credentials of neighbours this host's participants verified in signed rounds, by
     * participant id: the coordinator need not send them again. A credential is public; each is
     * verified again whenever it is used.
     */
    private final Map<String, byte[]> verifiedCredentials = new ConcurrentHashMap<>();

    /** The latest round each participant took part in a signed secure sum of. */
    private final Map<String, Integer> lastSignedRound = new ConcurrentHashMap<>();

    /**
     * Creates the participant side for participants that may hold identities.
     *
     * @param identities the hosted participants' identities and the verifier of their neighbours'
     * @param minimumContributors the fewest participants of a hosted participant's neighbourhood,
     *     itself included, whose inputs a sum of its input must hold (1: no limit)
     * @throws IllegalArgumentException if {@code minimumContributors} is below 1
     */
    public SecureSumParticipants(Optional<HostedIdentities> identities, int minimumContributors) {
        if (minimumContributors < 1) {
            throw new IllegalArgumentException(
                    "the fewest contributors to a secure sum must be >= 1, got "
                            + minimumContributors);
        }
        this.identities = Objects.requireNonNull(identities, "identities");
        this.minimumContributors = minimumContributors;
    }

    /** Says so when the fixed-point range clips this participant's input: its sum is then off. */
    private static void warnIfClipped(String id, Session session) {
        float clip = session.config().fixedPoint().clip();
        float largest = 0;
        for (float v : session.input().values()) {
            largest = Math.max(largest, Math.abs(v));
        }
        if (largest > clip) {
            LOG.warn(
                    "{}: values up to {} exceed the secure sum's clipping range {} and are"
                            + " clipped; raise secureClip",
                    id,
                    largest,
                    clip);
        }
    }

    /** Returns whether {@code type} is a secure-aggregation stage, which the host answers. */
    public static boolean handles(MessageType type) {
        return STAGES.contains(type);
    }

    /**
     * Returns the reply to send for a learner's {@code reply}: unchanged, unless the request asked
     * for a secure sum ({@link SecureSum#WEIGHT}); then the tensors, weighted, stay here until the
     * round's secure sum, and the reply carries metrics only.
     */
    public Message withhold(Message request, Message reply) {
        String weight = request.config().getString(SecureSum.WEIGHT, "");
        if (weight.isEmpty() || reply.isError()) {
            return reply;
        }
        inputs.put(
                reply.participantId(),
                new Input(reply.round(), SecureSum.weightedInput(reply, weight)));
        return reply.withTensors(TensorRecord.empty());
    }

    /**
     * Answers a secure-aggregation stage.
     *
     * @throws IllegalArgumentException when the request does not fit this participant's state (no
     *     input for the round, a stage out of order, a malformed field); the host turns it into an
     *     error reply
     */
    public Message answer(Message request) {
        String id = request.participantId();
        int round = request.round();
        ConfigRecord config = request.config();
        Map<String, Object> out = new LinkedHashMap<>();
        if (request.type().equals(SecureSumWire.ADVERTISE)) {
            Input input = inputs.remove(id);
            if (input == null || input.round() != round) {
                throw new IllegalArgumentException(
                        id + " holds no input to sum securely in round " + round);
            }
            List<String> roster = SecureSumWire.split(config.getString(SecureSumWire.ROSTER));
            boolean signed = config.getBoolean(SecureSumWire.SIGNED, false);
            SecAggConfig secAgg =
                    new SecureSumSettings(
                                    (int) config.getLong(SecureSumWire.THRESHOLD),
                                    (int) config.getLong(SecureSumWire.DEGREE),
                                    (float) config.getDouble(SecureSumWire.CLIP),
                                    signed)
                            .config(
                                    roster.size(),
                                    (int) config.getLong(SecureSumWire.VECTOR_LENGTH));
            if (input.values().length != secAgg.vectorLength()) {
                throw new IllegalArgumentException(
                        id
                                + " holds "
                                + input.values().length
                                + " values to sum, the round sums "
                                + secAgg.vectorLength());
            }
            SecAggRound secAggRound =
                    new SecAggRound(
                            round, roster, config.getLong(SecureSumWire.NEIGHBOURHOOD_SEED));
            Optional<SigningIdentity> identity = identities.flatMap(own -> own.of(id));
            requireTakesPart(id, round, signed, identity);
            SecAggParticipant participant =
                    signed
                            ? new SecAggParticipant(
                                    secAgg,
                                    secAggRound,
                                    id,
                                    random,
                                    identity.get(),
                                    identities.get().verifier())
                            : new SecAggParticipant(secAgg, secAggRound, id, random);
            Set<String> neighbourhood = participant.closedNeighbourhood();
            requireEnoughContributors(id, round, neighbourhood.size(), "hold an input");
            Map<String, byte[]> held = signed ? heldCredentials(id, neighbourhood) : Map.of();
            sessions.put(id, new Session(participant, secAgg, input, neighbourhood, held));
            SecureSumWire.putKeys(out, participant.advertiseKeys(), false, true);
            SecureSumWire.putHeldCredentials(out, held);
            return request.reply().optConfig(new ConfigRecord(out)).build();
        }
        Session session = sessions.get(id);
        if (session == null || session.input().round() != round) {
            throw new IllegalArgumentException(
                    id + " has no secure aggregation in progress in round " + round);
        }
        if (request.type().equals(SecureSumWire.SHARE)) {
            List<AdvertisedKeys> keys =
                    SecureSumWire.allKeys(config, round, session.heldCredentials());
            ShareBundle bundle = session.participant().shareKeys(keys);
            if (session.config().signed()) {
                // shareKeys verified every neighbour's credential
                keys.stream()
                        .filter(k -> !k.participantId().equals(id))
                        .forEach(k -> verifiedCredentials.put(k.participantId(), k.credential()));
            }
            SecureSumWire.putShares(out, bundle.shares(), false);
            return request.reply().optConfig(new ConfigRecord(out)).build();
        }
        if (request.type().equals(SecureSumWire.MASK)) {
            warnIfClipped(id, session);
            MaskedVector masked =
                    session.participant()
                            .maskInput(
                                    session.config().fixedPoint().encode(session.input().values()),
                                    SecureSumWire.shares(config, round, id, true));
            return request.reply().optTensors(SecureSumWire.words(masked.vector())).build();
        }
        UnmaskingRequest unmasking = SecureSumWire.unmaskingRequest(config, round);
        requireEnoughContributors(
                id,
                round,
                (int)
                        unmasking.survivors().stream()
                                .filter(session.closedNeighbourhood()::contains)
                                .count(),
                "sent a masked input");
        if (request.type().equals(SecureSumWire.CONFIRM)) {
            SecureSumWire.putSurvivorSignature(
                    out, session.participant().confirmSurvivors(unmasking));
            return request.reply().optConfig(new ConfigRecord(out)).build();
        }
        sessions.remove(id);
        UnmaskingShares shares = session.participant().unmask(unmasking);
        SecureSumWire.putRevealed(out, shares.shares());
        return request.reply().optConfig(new ConfigRecord(out)).build();
    }

    /**
     * Returns the credentials participant {@code id} holds of its closed neighbourhood: those
     * verified before, and its own.
     */
    private Map<String, byte[]> heldCredentials(String id, Set<String> closedNeighbourhood) {
        Map<String, byte[]> held = new HashMap<>();
        for (String neighbour : closedNeighbourhood) {
            byte[] credential = verifiedCredentials.get(neighbour);
            if (credential != null) {
                held.put(neighbour, credential);
            }
        }
        identities.flatMap(own -> own.of(id)).ifPresent(own -> held.put(id, own.credential()));
        return held;
    }

    /**
     * Refuses a secure sum in which fewer participants of this one's closed neighbourhood than its
     * minimum take part, before it sends keys for it or reveals shares that would let the
     * coordinator unmask it. Only the neighbourhood counts: those are the participants whose keys
     * it saw (and, in a signed round, verified), while the coordinator could name anyone beyond.
     */
    private void requireEnoughContributors(String id, int round, int contributors, String what) {
        if (contributors < minimumContributors) {
            sessions.remove(id);
            throw new IllegalArgumentException(
                    id
                            + " takes part only in secure sums of at least "
                            + minimumContributors
                            + " inputs, its own included, but only "
                            + contributors
                            + " participants of its neighbourhood, itself included, "
                            + what
                            + " in round "
                            + round
                            + " (participants beyond its neighbourhood do not count: it cannot"
                            + " check that they exist); so few inputs summed could reveal its own");
        }
    }

    /**
     * Refuses a round this participant does not take part in: an unsigned one when it signs only, a
     * signed one when it has no identity, and a signed one of a round at or before the last it
     * summed (two sums of the same inputs could reveal an input by their difference); records a
     * signed round it takes part in as its last.
     */
    private void requireTakesPart(
            String id, int round, boolean signed, Optional<SigningIdentity> identity) {
        if (!signed && identity.isPresent() && identities.get().signedOnly()) {
            throw new IllegalArgumentException(
                    id
                            + " takes part in signed secure aggregation only, but round "
                            + round
                            + " is unsigned (secureSigned is off): a coordinator that does"
                            + " not follow the protocol could then read its input");
        }
        if (signed && identity.isEmpty()) {
            throw new IllegalArgumentException(
                    id
                            + " has no certificate to sign secure aggregation with; signed"
                            + " rounds need participants that join with a certificate from the"
                            + " federation's authority");
        }
        if (signed) {
            int[] previous = {Integer.MIN_VALUE};
            lastSignedRound.compute(
                    id,
                    (participant, last) -> {
                        previous[0] = last == null ? Integer.MIN_VALUE : last;
                        return Math.max(round, previous[0]);
                    });
            if (round <= previous[0]) {
                throw new IllegalArgumentException(
                        id
                                + " already took part in a signed secure sum of round "
                                + previous[0]
                                + " and takes part in none of round "
                                + round
                                + ": two sums of the same inputs could reveal one"
                                + " participant's input by their difference");
            }
        }
    }
}
