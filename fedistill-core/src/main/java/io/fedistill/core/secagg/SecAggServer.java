package io.fedistill.core.secagg;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.Signatures;
import io.fedistill.core.secagg.KeyExchange.Purpose;
import io.fedistill.core.secagg.RevealedShare.Secret;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs the server's side of one round of secure aggregation: it collects each stage's messages,
 * checks them, computes what to forward for the next stage, and finally removes the masks that did
 * not cancel to output the sum of the surviving participants' inputs.
 *
 * <p>Each stage is a run of {@code receive...} calls, one per arriving message, closed by an {@code
 * end...} call when the caller stops waiting (at a deadline, or when everyone answered): {@link
 * #receiveKeys}/{@link #endAdvertising}, {@link #receiveShares}/{@link #endSharing}, {@link
 * #receiveMaskedVector}/{@link #endMasking}, in signed secure aggregation {@link
 * #receiveSurvivorSignature}/{@link #endConsistencyCheck}, and {@link
 * #receiveUnmaskingShares}/{@link #sum}. In a signed round the server also checks every
 * participant's signatures, so that one bad signature is refused here rather than making every
 * neighbour refuse the stage. A message that is malformed, for another round, from a participant
 * not entitled to send it, or a repeat is refused with {@link IllegalArgumentException} and leaves
 * the server unchanged; a stage that ends with fewer than threshold participants (overall, or in
 * some participant's closed neighbourhood) throws {@link SecAggAbortedException}, after which the
 * server accepts nothing.
 *
 * <p>The server never asks for both secrets of one participant: the survivors and the dropped
 * participants it announces are disjoint, and it refuses a revealed share of the other kind.
 */
public final class SecAggServer {
    private static final int SECRET_BYTES = 32;

    private final SecAggConfig config;
    private final SecAggRound round;
    private final NeighbourhoodGraph graph;

    /** Checks the participants' credentials, or null in an unsigned round. */
    private final CredentialVerifier verifier;

    private SecAggStage stage = SecAggStage.ADVERTISE_KEYS;

    /** Why the server accepts nothing more, or null while the round runs. */
    private String finishedBecause;

    private final Map<String, AdvertisedKeys> advertised = new HashMap<>();
    private final Map<String, ShareBundle> bundles = new HashMap<>();
    private final Set<String> maskedSenders = new HashSet<>();
    private final int[] maskedSum;
    private final Set<String> unmaskingSenders = new HashSet<>();
    private final Map<String, List<ShamirShare>> seedShares = new HashMap<>();
    private final Map<String, List<ShamirShare>> keyShares = new HashMap<>();

    /** The keys that verify each advertiser's signatures (signed rounds). */
    private final Map<String, PublicKey> signingKeys = new HashMap<>();

    /** The survivor list the survivors are asked to sign (signed rounds). */
    private UnmaskingRequest unsignedRequest;

    private final Map<String, SurvivorSignature> confirmations = new HashMap<>();

    /**
     * Prepares the server for one unsigned round.
     *
     * @param config the run's secure-aggregation config, unsigned
     * @param round the round and its roster
     * @throws IllegalArgumentException if the round does not fit the config, or the config is
     *     signed
     */
    public SecAggServer(SecAggConfig config, SecAggRound round) {
        this(config, round, null);
    }

    /**
     * Prepares the server for one round, signed when the config is.
     *
     * @param config the run's secure-aggregation config
     * @param round the round and its roster
     * @param verifier what checks the participants' credentials; required when the config is
     *     signed, ignored otherwise
     * @throws IllegalArgumentException if the round does not fit the config, or a signed config
     *     comes without a verifier
     */
    public SecAggServer(SecAggConfig config, SecAggRound round, CredentialVerifier verifier) {
        this.config = Objects.requireNonNull(config, "config");
        this.round = Objects.requireNonNull(round, "round");
        if (config.signed() && verifier == null) {
            throw new IllegalArgumentException(
                    "signed secure aggregation of round "
                            + round.round()
                            + " needs a verifier of the participants' credentials");
        }
        this.verifier = config.signed() ? verifier : null;
        config.requireRunnable(round);
        this.graph = NeighbourhoodGraph.of(config.neighbourhood(), round);
        this.maskedSum = new int[config.vectorLength()];
    }

    /**
     * Records a participant's public keys ({@link SecAggStage#ADVERTISE_KEYS}).
     *
     * @throws IllegalArgumentException if the keys are for another round, from a participant not on
     *     the roster, or a repeat, or in a signed round lack a valid signature of their participant
     * @throws IllegalStateException if advertising has ended
     */
    public void receiveKeys(AdvertisedKeys keys) {
        String sender = keys.participantId();
        requireStage(SecAggStage.ADVERTISE_KEYS, "keys of " + sender);
        requireRound(keys.round(), "keys of " + sender);
        graph.requireOnRoster(sender);
        requireFirst(advertised.containsKey(sender), sender, "its keys");
        if (verifier != null) {
            signingKeys.put(
                    sender,
                    SignedStatements.signerOf(keys, verifier, "sent to the server", round, config));
        }
        advertised.put(sender, keys);
    }

    /**
     * Ends advertising and returns, for each participant that advertised, the keys of its closed
     * neighbourhood that advertised, its own included, to pass to {@link
     * SecAggParticipant#shareKeys}.
     *
     * @throws SecAggAbortedException if fewer than threshold participants advertised, overall or in
     *     some participant's closed neighbourhood
     */
    public Map<String, List<AdvertisedKeys>> endAdvertising() {
        requireStage(SecAggStage.ADVERTISE_KEYS, "endAdvertising");
        requireQuorum(advertised.keySet(), SecAggStage.ADVERTISE_KEYS, "advertised keys");
        Map<String, List<AdvertisedKeys>> forwarded = new LinkedHashMap<>();
        for (String participant : inRoster(advertised::containsKey)) {
            List<AdvertisedKeys> keys = new ArrayList<>();
            for (String neighbour : graph.closedNeighbourhood(participant)) {
                if (advertised.containsKey(neighbour)) {
                    keys.add(advertised.get(neighbour));
                }
            }
            forwarded.put(participant, List.copyOf(keys));
        }
        stage = SecAggStage.SHARE_KEYS;
        return Collections.unmodifiableMap(forwarded);
    }

    /**
     * Records a participant's encrypted shares ({@link SecAggStage#SHARE_KEYS}).
     *
     * @throws IllegalArgumentException if the bundle is for another round, from a participant that
     *     did not advertise keys, or a repeat, or if it lacks shares for a neighbour that
     *     advertised, holds shares for any other participant or holds two for one neighbour
     * @throws IllegalStateException if the server is not collecting shares
     */
    public void receiveShares(ShareBundle bundle) {
        String sender = bundle.sender();
        requireStage(SecAggStage.SHARE_KEYS, "shares from " + sender);
        requireRound(bundle.round(), "shares from " + sender);
        graph.requireOnRoster(sender);
        if (!advertised.containsKey(sender)) {
            throw new IllegalArgumentException(
                    sender + " sent shares but did not advertise keys in round " + round.round());
        }
        requireFirst(bundles.containsKey(sender), sender, "its shares");
        Set<String> recipients = new HashSet<>();
        for (EncryptedShares share : bundle.shares()) {
            String recipient = share.recipient();
            graph.requireOnRoster(recipient);
            if (recipient.equals(sender)
                    || !graph.inClosedNeighbourhood(sender, recipient)
                    || !advertised.containsKey(recipient)) {
                throw new IllegalArgumentException(
                        "shares from "
                                + sender
                                + " for "
                                + recipient
                                + ", which is not a neighbour of "
                                + sender
                                + " that advertised keys in round "
                                + round.round());
            }
            if (!recipients.add(recipient)) {
                throw new IllegalArgumentException(
                        "bundle of " + sender + " holds two shares for " + recipient);
            }
        }
        for (String neighbour : graph.closedNeighbourhood(sender)) {
            if (!neighbour.equals(sender)
                    && advertised.containsKey(neighbour)
                    && !recipients.contains(neighbour)) {
                throw new IllegalArgumentException(
                        "bundle of " + sender + " lacks shares for its neighbour " + neighbour);
            }
        }
        bundles.put(sender, bundle);
    }

    /**
     * Ends sharing and returns, for each participant that shared, the shares addressed to it by the
     * others that shared, to pass to {@link SecAggParticipant#maskInput}.
     *
     * @throws SecAggAbortedException if fewer than threshold participants shared, overall or in
     *     some participant's closed neighbourhood
     */
    public Map<String, List<EncryptedShares>> endSharing() {
        requireStage(SecAggStage.SHARE_KEYS, "endSharing");
        requireQuorum(bundles.keySet(), SecAggStage.SHARE_KEYS, "shared keys");
        Map<String, List<EncryptedShares>> forwarded = new LinkedHashMap<>();
        List<String> sharers = inRoster(bundles::containsKey);
        for (String sharer : sharers) {
            forwarded.put(sharer, new ArrayList<>());
        }
        for (String sharer : sharers) {
            for (EncryptedShares share : bundles.get(sharer).shares()) {
                List<EncryptedShares> inbox = forwarded.get(share.recipient());
                if (inbox != null) {
                    inbox.add(share);
                }
            }
        }
        forwarded.replaceAll((recipient, inbox) -> List.copyOf(inbox));
        stage = SecAggStage.MASKED_INPUT;
        return Collections.unmodifiableMap(forwarded);
    }

    /**
     * Adds a participant's masked vector to the running sum ({@link SecAggStage#MASKED_INPUT}).
     *
     * @throws IllegalArgumentException if the vector is for another round, has the wrong length,
     *     comes from a participant that did not share keys, or is a repeat
     * @throws IllegalStateException if the server is not collecting masked vectors
     */
    public void receiveMaskedVector(MaskedVector masked) {
        String sender = masked.sender();
        requireStage(SecAggStage.MASKED_INPUT, "masked vector from " + sender);
        requireRound(masked.round(), "masked vector from " + sender);
        graph.requireOnRoster(sender);
        if (!bundles.containsKey(sender)) {
            throw new IllegalArgumentException(
                    sender
                            + " sent a masked vector but did not share keys in round "
                            + round.round());
        }
        requireFirst(maskedSenders.contains(sender), sender, "its masked vector");
        int[] vector = masked.vector();
        if (vector.length != maskedSum.length) {
            throw new IllegalArgumentException(
                    "masked vector from "
                            + sender
                            + " has "
                            + vector.length
                            + " values; round "
                            + round.round()
                            + " aggregates vectors of "
                            + maskedSum.length);
        }
        for (int i = 0; i < vector.length; i++) {
            maskedSum[i] += vector[i];
        }
        maskedSenders.add(sender);
    }

    /**
     * Ends masked input and returns the request for the shares that remove the remaining masks:
     * self-mask seeds of the survivors, masking keys of those that shared keys but sent no vector.
     * In a signed round the survivors first sign it ({@link #receiveSurvivorSignature}), and {@link
     * #endConsistencyCheck} returns it with their signatures.
     *
     * @throws SecAggAbortedException if fewer than threshold participants sent masked vectors,
     *     overall or in the closed neighbourhood of a participant whose secret must be rebuilt
     */
    public UnmaskingRequest endMasking() {
        requireStage(SecAggStage.MASKED_INPUT, "endMasking");
        requireCount(
                maskedSenders.size(), SecAggStage.MASKED_INPUT, "participants sent masked vectors");
        for (String participant : secretsToRebuild()) {
            requireCount(
                    countIn(graph.closedNeighbourhood(participant), maskedSenders),
                    SecAggStage.MASKED_INPUT,
                    "of " + participant + "'s closed neighbourhood sent masked vectors");
        }
        UnmaskingRequest request =
                new UnmaskingRequest(
                        round.round(),
                        inRoster(maskedSenders::contains),
                        inRoster(id -> bundles.containsKey(id) && !maskedSenders.contains(id)));
        if (config.signed()) {
            unsignedRequest = request;
            stage = SecAggStage.CONSISTENCY_CHECK;
        } else {
            stage = SecAggStage.UNMASKING;
        }
        return request;
    }

    /**
     * Records a survivor's signature over the survivor list ({@link SecAggStage#CONSISTENCY_CHECK},
     * signed rounds only).
     *
     * @throws IllegalArgumentException if the signature is for another round, from a participant
     *     that sent no masked vector, a repeat, or does not verify
     * @throws IllegalStateException if the server is not collecting signatures
     */
    public void receiveSurvivorSignature(SurvivorSignature signature) {
        String signer = signature.signer();
        requireStage(SecAggStage.CONSISTENCY_CHECK, "survivor signature of " + signer);
        requireRound(signature.round(), "survivor signature of " + signer);
        graph.requireOnRoster(signer);
        if (!maskedSenders.contains(signer)) {
            throw new IllegalArgumentException(
                    signer
                            + " signed the survivors but sent no masked vector in round "
                            + round.round());
        }
        requireFirst(confirmations.containsKey(signer), signer, "its survivor signature");
        if (!Signatures.verify(
                signingKeys.get(signer),
                unsignedRequest.statement(advertised.get(signer)),
                signature.signature())) {
            throw new IllegalArgumentException(
                    "the survivor signature of "
                            + signer
                            + " in round "
                            + round.round()
                            + " does not verify under its credential");
        }
        confirmations.put(signer, signature);
    }

    /**
     * Ends the consistency check and returns the unmasking request with the survivors' signatures,
     * to pass to {@link SecAggParticipant#unmask} of each participant that signed.
     *
     * @throws SecAggAbortedException if fewer than threshold survivors signed, overall or in some
     *     signer's closed neighbourhood
     */
    public UnmaskingRequest endConsistencyCheck() {
        requireStage(SecAggStage.CONSISTENCY_CHECK, "endConsistencyCheck");
        requireQuorum(
                confirmations.keySet(), SecAggStage.CONSISTENCY_CHECK, "signed the survivors");
        stage = SecAggStage.UNMASKING;
        return withSignaturesOf(id -> true);
    }

    /**
     * Returns the signed unmasking request as one participant needs it: with the signatures of its
     * closed neighbourhood only, the ones it can check (in full SecAgg, everyone's).
     *
     * @throws IllegalStateException unless the consistency check of a signed round has ended
     */
    public UnmaskingRequest unmaskingRequestFor(String participant) {
        requireStage(SecAggStage.UNMASKING, "unmaskingRequestFor");
        if (!config.signed()) {
            throw new IllegalStateException(
                    "round " + round.round() + " is unsigned: its request carries no signatures");
        }
        return withSignaturesOf(id -> graph.inClosedNeighbourhood(participant, id));
    }

    /**
     * Returns the survivor list with the signatures of the signers {@code among}, in roster order.
     */
    private UnmaskingRequest withSignaturesOf(Predicate<String> among) {
        return unsignedRequest.withSignatures(
                inRoster(id -> confirmations.containsKey(id) && among.test(id)).stream()
                        .map(confirmations::get)
                        .toList());
    }

    /**
     * Records a survivor's revealed shares ({@link SecAggStage#UNMASKING}).
     *
     * @throws IllegalArgumentException if the shares are for another round, come from a participant
     *     that sent no masked vector (in a signed round, that did not sign the survivors), or are a
     *     repeat, or if a share is of a participant that did not share keys with the sender, of the
     *     wrong secret for the owner's status (a masking key of a survivor or a self-mask seed of a
     *     dropped participant), or the second of one owner
     * @throws IllegalStateException if the server is not collecting unmasking shares
     */
    public void receiveUnmaskingShares(UnmaskingShares shares) {
        String sender = shares.sender();
        requireStage(SecAggStage.UNMASKING, "unmasking shares from " + sender);
        requireRound(shares.round(), "unmasking shares from " + sender);
        graph.requireOnRoster(sender);
        if (!maskedSenders.contains(sender)) {
            throw new IllegalArgumentException(
                    sender
                            + " sent unmasking shares but no masked vector in round "
                            + round.round());
        }
        if (config.signed() && !confirmations.containsKey(sender)) {
            throw new IllegalArgumentException(
                    sender
                            + " sent unmasking shares but did not sign the survivors of round "
                            + round.round());
        }
        requireFirst(unmaskingSenders.contains(sender), sender, "its unmasking shares");
        Set<String> owners = new HashSet<>();
        for (RevealedShare share : shares.shares()) {
            String owner = share.owner();
            graph.requireOnRoster(owner);
            if (!bundles.containsKey(owner) || !graph.inClosedNeighbourhood(sender, owner)) {
                throw new IllegalArgumentException(
                        sender
                                + " revealed a share of "
                                + owner
                                + ", which did not share keys with it in round "
                                + round.round());
            }
            Secret allowed =
                    maskedSenders.contains(owner) ? Secret.SELF_MASK_SEED : Secret.MASKING_KEY;
            if (share.secret() != allowed) {
                throw new IllegalArgumentException(
                        sender
                                + " revealed a share of "
                                + owner
                                + "'s "
                                + share.secret()
                                + ", but only its "
                                + allowed
                                + " may be revealed: with both, "
                                + owner
                                + "'s input would be exposed");
            }
            if (!owners.add(owner)) {
                throw new IllegalArgumentException(
                        sender + " revealed two shares of " + owner + "'s " + share.secret());
            }
        }
        int x = graph.shareCoordinate(sender);
        for (RevealedShare share : shares.shares()) {
            Map<String, List<ShamirShare>> collected =
                    share.secret() == Secret.SELF_MASK_SEED ? seedShares : keyShares;
            collected
                    .computeIfAbsent(share.owner(), owner -> new ArrayList<>())
                    .add(ShamirShare.fromBytes(x, share.share()));
        }
        unmaskingSenders.add(sender);
    }

    /**
     * Ends unmasking: rebuilds each survivor's self-mask seed and each dropped participant's
     * masking key from threshold shares, removes the masks that did not cancel and returns the sum
     * of the survivors' inputs.
     *
     * @throws SecAggAbortedException if fewer than threshold survivors answered, or fewer than
     *     threshold shares of some secret the sum needs were revealed
     * @throws IllegalArgumentException if the shares of a secret do not fit together
     */
    public SecAggResult sum() {
        requireStage(SecAggStage.UNMASKING, "sum");
        requireCount(
                unmaskingSenders.size(),
                SecAggStage.UNMASKING,
                "participants sent unmasking shares");
        List<String> secretsToRebuild = secretsToRebuild();
        Map<String, byte[]> rebuilt = new HashMap<>();
        for (String owner : secretsToRebuild) {
            boolean survived = maskedSenders.contains(owner);
            String secret = survived ? "self-mask seed" : "masking key";
            List<ShamirShare> shares =
                    (survived ? seedShares : keyShares).getOrDefault(owner, List.of());
            requireCount(
                    shares.size(),
                    SecAggStage.UNMASKING,
                    "shares of " + owner + "'s " + secret + " were revealed");
            try {
                rebuilt.put(
                        owner,
                        ShamirSharing.combine(shares.subList(0, config.threshold()), SECRET_BYTES));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "the revealed shares of " + owner + "'s " + secret + " do not fit together",
                        e);
            }
        }

        int[] sum = maskedSum.clone();
        for (String owner : secretsToRebuild) {
            if (maskedSenders.contains(owner)) {
                MaskExpander.subtractMask(sum, rebuilt.get(owner));
            } else {
                removePairwiseMasks(sum, owner, KeyExchange.decodePrivateKey(rebuilt.get(owner)));
            }
        }
        finishedBecause = "was summed";
        return new SecAggResult(sum, inRoster(maskedSenders::contains));
    }

    /**
     * Removes from the sum the pairwise masks between a dropped participant and its surviving
     * neighbours, which the survivors added but the dropped participant never cancelled.
     */
    private void removePairwiseMasks(int[] sum, String dropped, PrivateKey droppedMaskingKey) {
        for (String survivor : graph.closedNeighbourhood(dropped)) {
            if (!maskedSenders.contains(survivor)) {
                continue;
            }
            boolean survivorFirst = graph.precedes(survivor, dropped);
            byte[] seed =
                    KeyExchange.pairwiseKey(
                            Purpose.MASKING,
                            droppedMaskingKey,
                            KeyExchange.decodePublicKey(advertised.get(survivor).maskingKey()),
                            round.round(),
                            survivorFirst ? survivor : dropped,
                            survivorFirst ? dropped : survivor);
            // the survivor added the mask if it comes first, and subtracted it otherwise
            if (survivorFirst) {
                MaskExpander.subtractMask(sum, seed);
            } else {
                MaskExpander.addMask(sum, seed);
            }
        }
    }

    /**
     * Returns, in roster order, the participants whose secret the sum needs: every survivor's
     * self-mask seed, and the masking key of every dropped participant with a surviving neighbour.
     */
    private List<String> secretsToRebuild() {
        return inRoster(
                id ->
                        maskedSenders.contains(id)
                                || (bundles.containsKey(id)
                                        && countIn(graph.closedNeighbourhood(id), maskedSenders)
                                                > 0));
    }

    /**
     * Aborts unless the members number at least threshold, overall and in each member's closed
     * neighbourhood.
     */
    private void requireQuorum(Set<String> members, SecAggStage ending, String action) {
        requireCount(members.size(), ending, "participants " + action);
        for (String member : inRoster(members::contains)) {
            requireCount(
                    countIn(graph.closedNeighbourhood(member), members),
                    ending,
                    "of " + member + "'s closed neighbourhood " + action);
        }
    }

    private void requireCount(int remaining, SecAggStage ending, String counted) {
        if (remaining < config.threshold()) {
            finishedBecause = "aborted at " + ending;
            throw new SecAggAbortedException(
                    round.round(), ending, remaining, config.threshold(), counted);
        }
    }

    private static int countIn(Set<String> group, Set<String> members) {
        int count = 0;
        for (String id : group) {
            if (members.contains(id)) {
                count++;
            }
        }
        return count;
    }

    private List<String> inRoster(Predicate<String> filter) {
        return round.roster().stream().filter(filter).toList();
    }

    private void requireStage(SecAggStage expected, String what) {
        if (finishedBecause != null) {
            throw new IllegalStateException(
                    what + " arrived after round " + round.round() + " " + finishedBecause);
        }
        if (stage != expected) {
            throw new IllegalStateException(
                    what
                            + " belongs to stage "
                            + expected
                            + ", but round "
                            + round.round()
                            + " is at stage "
                            + stage);
        }
    }

    private void requireRound(int messageRound, String what) {
        round.requireSameRound(messageRound, what, "the server is running");
    }

    private void requireFirst(boolean alreadyReceived, String sender, String what) {
        if (alreadyReceived) {
            throw new IllegalArgumentException(
                    sender + " already sent " + what + " in round " + round.round());
        }
    }
}
