package io.fedistill.core.secagg;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.Signatures;
import io.fedistill.core.identity.SigningIdentity;
import io.fedistill.core.secagg.KeyExchange.Purpose;
import io.fedistill.core.secagg.RevealedShare.Secret;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.AEADBadTagException;

/**
 * Runs one participant's side of one round of secure aggregation: one call per stage, each taking
 * what the server forwarded and returning the message to send back.
 *
 * <p>The calls must come in order, each once: {@link #advertiseKeys()}, {@link #shareKeys}, {@link
 * #maskInput}, in signed secure aggregation {@link #confirmSurvivors}, and {@link #unmask}. A
 * participant with a {@link SigningIdentity} signs its keys and its view of the survivors, checks
 * its neighbours' signatures, and takes part in signed rounds only, so a server that does not
 * follow the protocol can neither substitute its own keys for a neighbour's nor collect both
 * secrets of one neighbour by telling participants different stories about who survived. A call
 * that refuses its input (with {@link IllegalArgumentException}) leaves the participant where it
 * was; a call that finds too few participants left throws {@link SecAggAbortedException}, after
 * which the participant accepts no further call. A participant serves a single round, with keys and
 * seeds drawn afresh for it, and never answers a second unmasking request, since two requests with
 * different survivors could together reveal both secrets of one neighbour.
 */
public final class SecAggParticipant {
    /** Version of the plaintext inside {@link EncryptedShares}. */
    private static final byte SHARES_VERSION = 1;

    private static final int SHARES_PLAINTEXT_BYTES = 1 + 2 * ShamirSharing.SHARE_BYTES;

    private final SecAggConfig config;
    private final SecAggRound round;
    private final String participantId;
    private final SecureRandom random;
    private final NeighbourhoodGraph graph;

    /** This participant's identity, or null in an unsigned round. */
    private final SigningIdentity identity;

    /** Checks the neighbours' credentials, or null in an unsigned round. */
    private final CredentialVerifier verifier;

    private Step step = Step.CREATED;

    /** The keys this participant advertised, as it sent them. */
    private AdvertisedKeys ownKeys;

    private KeyPair encryptionKeys;
    private KeyPair maskingKeys;
    private byte[] selfMaskSeed;

    /** The neighbours that advertised keys, without this participant, in roster order. */
    private Map<String, AdvertisedKeys> neighbourKeys;

    /** An encryption key agreed with a neighbour, and the neighbour's public key it came from. */
    private record SharedKey(byte[] neighbourPublicKey, byte[] key) {}

    /** The encryption keys agreed so far, by neighbour. */
    private final Map<String, SharedKey> sharedKeys = new HashMap<>();

    /** Shares of each sharing neighbour's secrets, this participant's own included. */
    private Map<String, HeldShares> heldShares;

    /** The ids of the neighbours that shared keys, without this participant. */
    private Set<String> sharingNeighbours;

    /** The keys that verify the signing neighbours' signatures, by neighbour (signed rounds). */
    private final Map<String, PublicKey> signingKeys = new HashMap<>();

    /** The survivor list this participant signed, and its signature (signed rounds). */
    private UnmaskingRequest confirmed;

    private byte[] confirmation;

    /** The survivors among the closed neighbourhood in the confirmed list (signed rounds). */
    private Set<String> survivorsConfirmed;

    private enum Step {
        CREATED,
        ADVERTISED,
        SHARED,
        MASKED,
        CONFIRMED,
        UNMASKED,
        ABORTED
    }

    /** The two shares one neighbour entrusted to this participant. */
    private record HeldShares(ShamirShare maskingKey, ShamirShare selfMaskSeed) {}

    /**
     * Prepares a participant for one unsigned round.
     *
     * @param config the run's secure-aggregation config, unsigned
     * @param round the round and its roster
     * @param participantId this participant's id, which must be on the roster
     * @param random the source of keys, seeds, polynomial coefficients and nonces
     * @throws IllegalArgumentException if the participant is not on the roster, the round does not
     *     fit the config, or the config is signed
     */
    public SecAggParticipant(
            SecAggConfig config, SecAggRound round, String participantId, SecureRandom random) {
        this(config, round, participantId, random, null, null);
    }

    /**
     * Prepares a participant with an identity for one signed round.
     *
     * @param config the run's secure-aggregation config, which must be signed: a participant with
     *     an identity takes part in signed rounds only
     * @param round the round and its roster
     * @param participantId this participant's id, which must be on the roster
     * @param random the source of keys, seeds, polynomial coefficients and nonces
     * @param identity what this participant signs with
     * @param verifier what it checks its neighbours' credentials with
     * @throws IllegalArgumentException if the participant is not on the roster, the round does not
     *     fit the config, or the config is unsigned
     */
    public SecAggParticipant(
            SecAggConfig config,
            SecAggRound round,
            String participantId,
            SecureRandom random,
            SigningIdentity identity,
            CredentialVerifier verifier) {
        this.config = Objects.requireNonNull(config, "config");
        this.round = Objects.requireNonNull(round, "round");
        this.participantId = Objects.requireNonNull(participantId, "participantId");
        this.random = Objects.requireNonNull(random, "random");
        if (config.signed() && identity == null) {
            throw new IllegalArgumentException(
                    "round "
                            + round.round()
                            + " is signed secure aggregation, but "
                            + participantId
                            + " has no signing identity");
        }
        if (!config.signed() && identity != null) {
            throw new IllegalArgumentException(
                    participantId
                            + " holds a signing identity and takes part in signed secure"
                            + " aggregation only, but round "
                            + round.round()
                            + " is unsigned: a server that does not follow the protocol could then"
                            + " read its input");
        }
        this.identity = identity;
        this.verifier = identity == null ? null : Objects.requireNonNull(verifier, "verifier");
        config.requireRunnable(round);
        this.graph = NeighbourhoodGraph.of(config.neighbourhood(), round);
        graph.requireOnRoster(participantId);
    }

    /** Returns this participant's id. */
    public String participantId() {
        return participantId;
    }

    /** Returns this participant's closed neighbourhood in the round: its neighbours and itself. */
    Set<String> closedNeighbourhood() {
        return graph.closedNeighbourhood(participantId);
    }

    /**
     * Generates this round's encryption and masking key pairs and returns their public halves for
     * the server to forward ({@link SecAggStage#ADVERTISE_KEYS}).
     */
    public AdvertisedKeys advertiseKeys() {
        requireStep(Step.CREATED, "advertiseKeys");
        encryptionKeys = KeyExchange.generateKeyPair(random);
        maskingKeys = KeyExchange.generateKeyPair(random);
        AdvertisedKeys keys =
                new AdvertisedKeys(
                        round.round(),
                        participantId,
                        KeyExchange.encodePublicKey(encryptionKeys.getPublic()),
                        KeyExchange.encodePublicKey(maskingKeys.getPublic()));
        ownKeys = identity == null ? keys : keys.signedBy(identity, round, config);
        step = Step.ADVERTISED;
        return ownKeys;
    }

    /**
     * Draws the self-mask seed, Shamir-shares it and the masking private key among the neighbours
     * that advertised keys, and seals each neighbour's shares for it ({@link
     * SecAggStage#SHARE_KEYS}).
     *
     * @param advertised the keys of this participant's neighbours that advertised, its own
     *     included, as the server forwarded them
     * @throws IllegalArgumentException if an entry is for another round, an unknown participant or
     *     one that is not a neighbour, is repeated, or in a signed round lacks a valid signature of
     *     the participant it names, or if this participant's own keys are missing or differ from
     *     those it advertised
     * @throws SecAggAbortedException if fewer than threshold of the closed neighbourhood advertised
     */
    public ShareBundle shareKeys(List<AdvertisedKeys> advertised) {
        requireStep(Step.ADVERTISED, "shareKeys");
        Map<String, AdvertisedKeys> byParticipant = new LinkedHashMap<>();
        for (AdvertisedKeys keys : advertised) {
            String id = keys.participantId();
            requireRound(keys.round(), "keys of " + id);
            requireNeighbour(id, "keys of " + id);
            if (byParticipant.put(id, keys) != null) {
                throw new IllegalArgumentException(
                        "keys of " + id + " were forwarded to " + participantId + " twice");
            }
        }
        if (!ownKeys.equals(byParticipant.get(participantId))) {
            throw new IllegalArgumentException(
                    "the keys forwarded to "
                            + participantId
                            + " as its own are missing or differ from those it advertised");
        }
        Map<String, PublicKey> verified = new HashMap<>();
        if (identity != null) {
            for (AdvertisedKeys keys : byParticipant.values()) {
                if (!keys.participantId().equals(participantId)) {
                    verified.put(
                            keys.participantId(),
                            SignedStatements.signerOf(
                                    keys,
                                    verifier,
                                    "forwarded to " + participantId,
                                    round,
                                    config));
                }
            }
        }
        requireQuorum(
                byParticipant.size(),
                SecAggStage.ADVERTISE_KEYS,
                "of " + participantId + "'s closed neighbourhood advertised keys");
        signingKeys.putAll(verified);
        List<String> holders = inRosterOrder(byParticipant.keySet());
        int[] xs = holders.stream().mapToInt(graph::shareCoordinate).toArray();
        byte[] seed = new byte[MaskExpander.SEED_BYTES];
        random.nextBytes(seed);
        List<ShamirShare> keyShares =
                ShamirSharing.split(
                        KeyExchange.encodePrivateKey(maskingKeys.getPrivate()),
                        config.threshold(),
                        xs,
                        random);
        List<ShamirShare> seedShares = ShamirSharing.split(seed, config.threshold(), xs, random);

        Map<String, AdvertisedKeys> neighbours = new LinkedHashMap<>();
        Map<String, HeldShares> held = new LinkedHashMap<>();
        List<EncryptedShares> sealed = new ArrayList<>();
        for (int i = 0; i < holders.size(); i++) {
            String holder = holders.get(i);
            HeldShares shares = new HeldShares(keyShares.get(i), seedShares.get(i));
            if (holder.equals(participantId)) {
                held.put(holder, shares);
            } else {
                AdvertisedKeys keys = byParticipant.get(holder);
                neighbours.put(holder, keys);
                sealed.add(seal(holder, keys, shares));
            }
        }
        selfMaskSeed = seed;
        neighbourKeys = neighbours;
        heldShares = held;
        step = Step.SHARED;
        return new ShareBundle(round.round(), participantId, sealed);
    }

    /**
     * Opens the shares the neighbours sent, then masks the input with the self mask and with one
     * pairwise mask per neighbour that shared keys ({@link SecAggStage#MASKED_INPUT}).
     *
     * @param input this participant's vector, in the ring modulo 2^32
     * @param received the shares addressed to this participant, as the server forwarded them
     * @throws IllegalArgumentException if the input has the wrong length, or a share is for another
     *     round or recipient, comes from a participant that is not a neighbour that advertised
     *     keys, is repeated, or fails authentication
     * @throws SecAggAbortedException if fewer than threshold of the closed neighbourhood shared
     */
    public MaskedVector maskInput(int[] input, List<EncryptedShares> received) {
        requireStep(Step.SHARED, "maskInput");
        if (input.length != config.vectorLength()) {
            throw new IllegalArgumentException(
                    "input of "
                            + participantId
                            + " has "
                            + input.length
                            + " values; round "
                            + round.round()
                            + " aggregates vectors of "
                            + config.vectorLength());
        }
        Map<String, HeldShares> opened = new LinkedHashMap<>();
        for (EncryptedShares shares : received) {
            String sender = shares.sender();
            requireRound(shares.round(), "shares from " + sender);
            if (!shares.recipient().equals(participantId)) {
                throw new IllegalArgumentException(
                        "shares from "
                                + sender
                                + " addressed to "
                                + shares.recipient()
                                + " were forwarded to "
                                + participantId);
            }
            if (!neighbourKeys.containsKey(sender)) {
                // name the more basic fault first: an unknown sender, or one that is no neighbour
                requireNeighbour(sender, "shares from " + sender);
                throw new IllegalArgumentException(
                        "shares from "
                                + sender
                                + " reached "
                                + participantId
                                + ", but "
                                + sender
                                + " did not advertise keys to it");
            }
            if (opened.containsKey(sender)) {
                throw new IllegalArgumentException(
                        "shares from " + sender + " were forwarded to " + participantId + " twice");
            }
            opened.put(sender, open(shares));
        }
        requireQuorum(
                opened.size() + 1,
                SecAggStage.SHARE_KEYS,
                "of " + participantId + "'s closed neighbourhood shared keys");

        int[] masked = input.clone();
        MaskExpander.addMask(masked, selfMaskSeed);
        for (String neighbour : opened.keySet()) {
            byte[] seed = pairwiseMaskSeed(neighbour);
            if (graph.precedes(participantId, neighbour)) {
                MaskExpander.addMask(masked, seed);
            } else {
                MaskExpander.subtractMask(masked, seed);
            }
        }
        heldShares.putAll(opened);
        sharingNeighbours = opened.keySet();
        step = Step.MASKED;
        return new MaskedVector(round.round(), participantId, masked);
    }

    /**
     * Checks the server's list of survivors and dropped participants as {@link #unmask} would, and
     * signs it ({@link SecAggStage#CONSISTENCY_CHECK}, signed rounds only). The participant then
     * unmasks for this list alone.
     *
     * @param request the server's announcement of survivors and dropped participants, unsigned
     * @throws IllegalArgumentException as {@link #unmask} does for the lists
     * @throws IllegalStateException if the round is unsigned
     * @throws SecAggAbortedException if fewer than threshold of the closed neighbourhood survived
     */
    public SurvivorSignature confirmSurvivors(UnmaskingRequest request) {
        if (identity == null) {
            throw new IllegalStateException(
                    "round "
                            + round.round()
                            + " is unsigned secure aggregation, which has no consistency check");
        }
        requireStep(Step.MASKED, "confirmSurvivors");
        Set<String> survivors = checkedSurvivors(request);
        confirmed = new UnmaskingRequest(round.round(), request.survivors(), request.dropped());
        confirmation = identity.sign(confirmed.statement(ownKeys));
        survivorsConfirmed = survivors;
        step = Step.CONFIRMED;
        return new SurvivorSignature(round.round(), participantId, confirmation);
    }

    /**
     * Reveals, for itself and each neighbour that shared keys, the share of the self-mask seed if
     * the neighbour survived or of the masking key if it dropped ({@link SecAggStage#UNMASKING}).
     * In a signed round the request must list the survivors and dropped participants this
     * participant confirmed, with valid signatures of that list from at least threshold of its
     * closed neighbourhood.
     *
     * @param request the server's announcement of survivors and dropped participants
     * @throws IllegalArgumentException if the request is for another round, names an unknown
     *     participant, lists this participant as dropped or not at all, lists as surviving or
     *     dropped a neighbour that did not share keys, or leaves out one that did; in a signed
     *     round, if it differs from the confirmed list or carries a signature that is not a
     *     survivor's or does not verify
     * @throws IllegalStateException if this participant already answered an unmasking request
     * @throws SecAggAbortedException if fewer than threshold of the closed neighbourhood survived,
     *     or, in a signed round, signed the list
     */
    public UnmaskingShares unmask(UnmaskingRequest request) {
        if (step == Step.UNMASKED) {
            throw new IllegalStateException(
                    participantId
                            + " already answered an unmasking request in round "
                            + round.round()
                            + "; answering another could reveal both secrets of a neighbour");
        }
        Set<String> survivors;
        if (identity == null) {
            requireStep(Step.MASKED, "unmask");
            survivors = checkedSurvivors(request);
        } else {
            requireStep(Step.CONFIRMED, "unmask");
            requireRound(request.round(), "unmasking request");
            if (!request.survivors().equals(confirmed.survivors())
                    || !request.dropped().equals(confirmed.dropped())) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round.round()
                                + " lists other survivors or dropped participants than "
                                + participantId
                                + " confirmed");
            }
            requireSignedByQuorum(request.signatures());
            survivors = survivorsConfirmed;
        }

        List<RevealedShare> revealed = new ArrayList<>();
        for (Map.Entry<String, HeldShares> entry : heldShares.entrySet()) {
            String owner = entry.getKey();
            if (survivors.contains(owner)) {
                revealed.add(
                        new RevealedShare(
                                owner,
                                Secret.SELF_MASK_SEED,
                                entry.getValue().selfMaskSeed().yBytes()));
            } else {
                revealed.add(
                        new RevealedShare(
                                owner, Secret.MASKING_KEY, entry.getValue().maskingKey().yBytes()));
            }
        }
        step = Step.UNMASKED;
        return new UnmaskingShares(round.round(), participantId, revealed);
    }

    /**
     * Checks the lists of an unmasking request against this participant's neighbourhood and returns
     * the survivors among its closed neighbourhood.
     */
    private Set<String> checkedSurvivors(UnmaskingRequest request) {
        requireRound(request.round(), "unmasking request");
        Set<String> survivors = neighboursListed(request.survivors(), "surviving");
        Set<String> dropped = neighboursListed(request.dropped(), "dropped");
        if (dropped.contains(participantId) || !survivors.contains(participantId)) {
            throw new IllegalArgumentException(
                    "unmasking request for round "
                            + round.round()
                            + " does not list "
                            + participantId
                            + " among the survivors, yet asks it for shares");
        }
        for (String neighbour : sharingNeighbours) {
            if (!survivors.contains(neighbour) && !dropped.contains(neighbour)) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round.round()
                                + " lists "
                                + neighbour
                                + ", which shared keys with "
                                + participantId
                                + ", neither as surviving nor as dropped");
            }
        }
        requireQuorum(
                survivors.size(),
                SecAggStage.MASKED_INPUT,
                "of " + participantId + "'s closed neighbourhood sent masked vectors");
        return survivors;
    }

    /**
     * Checks the survivors' signatures on the confirmed list: each from a distinct survivor, each
     * from a neighbour verifying under the key it signed its round keys with, and at least
     * threshold of them from this participant's closed neighbourhood. Signatures of participants
     * beyond the neighbourhood, whose keys this participant never saw, are not counted.
     */
    private void requireSignedByQuorum(List<SurvivorSignature> signatures) {
        Set<String> signers = new HashSet<>();
        int counted = 0;
        for (SurvivorSignature signature : signatures) {
            String signer = signature.signer();
            if (!confirmed.survivors().contains(signer)) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round.round()
                                + " carries a signature of "
                                + signer
                                + ", which is not among the survivors");
            }
            if (!signers.add(signer)) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round.round()
                                + " carries two signatures of "
                                + signer);
            }
            boolean valid;
            if (signer.equals(participantId)) {
                valid = Arrays.equals(signature.signature(), confirmation);
            } else if (signingKeys.containsKey(signer)) {
                valid =
                        Signatures.verify(
                                signingKeys.get(signer),
                                confirmed.statement(neighbourKeys.get(signer)),
                                signature.signature());
            } else {
                continue;
            }
            if (!valid) {
                throw new IllegalArgumentException(
                        "the signature of "
                                + signer
                                + " on the survivors of round "
                                + round.round()
                                + " does not verify "
                                + (signer.equals(participantId)
                                        ? "(" + participantId + " did not make it)"
                                        : "on the list "
                                                + participantId
                                                + " confirmed under the keys "
                                                + signer
                                                + " advertised in this execution of the round"));
            }
            counted++;
        }
        requireQuorum(
                counted,
                SecAggStage.CONSISTENCY_CHECK,
                "of " + participantId + "'s closed neighbourhood signed the survivors");
    }

    private EncryptedShares seal(String recipient, AdvertisedKeys keys, HeldShares shares) {
        byte[] plaintext =
                ByteBuffer.allocate(SHARES_PLAINTEXT_BYTES)
                        .put(SHARES_VERSION)
                        .put(shares.maskingKey().yBytes())
                        .put(shares.selfMaskSeed().yBytes())
                        .array();
        byte[] nonce = new byte[KeyExchange.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] ciphertext =
                KeyExchange.seal(
                        encryptionKey(recipient, keys.encryptionKey()),
                        nonce,
                        plaintext,
                        KeyExchange.sharesContext(round.round(), participantId, recipient));
        return new EncryptedShares(round.round(), participantId, recipient, nonce, ciphertext);
    }

    private HeldShares open(EncryptedShares shares) {
        String sender = shares.sender();
        byte[] plaintext;
        try {
            plaintext =
                    KeyExchange.open(
                            encryptionKey(sender, neighbourKeys.get(sender).encryptionKey()),
                            shares.nonce(),
                            shares.ciphertext(),
                            KeyExchange.sharesContext(round.round(), sender, participantId));
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException(
                    "shares from "
                            + sender
                            + " to "
                            + participantId
                            + " in round "
                            + round.round()
                            + " failed authentication",
                    e);
        }
        if (plaintext.length != SHARES_PLAINTEXT_BYTES || plaintext[0] != SHARES_VERSION) {
            throw new IllegalArgumentException(
                    "shares from "
                            + sender
                            + " are in format version "
                            + plaintext[0]
                            + " of "
                            + plaintext.length
                            + " bytes; only version "
                            + SHARES_VERSION
                            + " of "
                            + SHARES_PLAINTEXT_BYTES
                            + " bytes is understood");
        }
        ByteBuffer buffer = ByteBuffer.wrap(plaintext, 1, plaintext.length - 1);
        byte[] maskingKeyShare = new byte[ShamirSharing.SHARE_BYTES];
        byte[] seedShare = new byte[ShamirSharing.SHARE_BYTES];
        buffer.get(maskingKeyShare).get(seedShare);
        int x = graph.shareCoordinate(participantId);
        return new HeldShares(
                ShamirShare.fromBytes(x, maskingKeyShare), ShamirShare.fromBytes(x, seedShare));
    }

    /**
     * Returns the key that seals the shares exchanged with a neighbour, agreed once for both
     * directions: this participant seals its own shares to the neighbour and opens the neighbour's
     * with it.
     */
    private byte[] encryptionKey(String neighbour, byte[] neighbourPublicKey) {
        SharedKey known = sharedKeys.get(neighbour);
        if (known != null && Arrays.equals(known.neighbourPublicKey(), neighbourPublicKey)) {
            return known.key();
        }
        byte[] key =
                pairwiseKey(
                        Purpose.ENCRYPTION,
                        encryptionKeys,
                        KeyExchange.decodePublicKey(neighbourPublicKey),
                        neighbour);
        sharedKeys.put(neighbour, new SharedKey(neighbourPublicKey.clone(), key));
        return key;
    }

    private byte[] pairwiseMaskSeed(String neighbour) {
        return pairwiseKey(
                Purpose.MASKING,
                maskingKeys,
                KeyExchange.decodePublicKey(neighbourKeys.get(neighbour).maskingKey()),
                neighbour);
    }

    private byte[] pairwiseKey(
            Purpose purpose, KeyPair ownKeys, PublicKey neighbourKey, String neighbour) {
        boolean first = graph.precedes(participantId, neighbour);
        return KeyExchange.pairwiseKey(
                purpose,
                ownKeys.getPrivate(),
                neighbourKey,
                round.round(),
                first ? participantId : neighbour,
                first ? neighbour : participantId);
    }

    /** Returns the listed participants that are in this participant's closed neighbourhood. */
    private Set<String> neighboursListed(List<String> listed, String status) {
        Set<String> neighbours = new HashSet<>();
        for (String id : listed) {
            graph.requireOnRoster(id);
            if (!graph.inClosedNeighbourhood(participantId, id)) {
                continue;
            }
            if (!id.equals(participantId) && !sharingNeighbours.contains(id)) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round.round()
                                + " lists "
                                + id
                                + " as "
                                + status
                                + ", but "
                                + id
                                + " did not share keys with "
                                + participantId);
            }
            neighbours.add(id);
        }
        return neighbours;
    }

    private void requireNeighbour(String id, String what) {
        graph.requireOnRoster(id);
        if (!graph.inClosedNeighbourhood(participantId, id)) {
            throw new IllegalArgumentException(
                    what
                            + " reached "
                            + participantId
                            + ", but "
                            + id
                            + " is not its neighbour in round "
                            + round.round());
        }
    }

    private List<String> inRosterOrder(Set<String> ids) {
        List<String> ordered = new ArrayList<>(ids);
        ordered.sort((a, b) -> Integer.compare(graph.position(a), graph.position(b)));
        return ordered;
    }

    private void requireStep(Step expected, String call) {
        if (step != expected) {
            throw new IllegalStateException(
                    call
                            + " on "
                            + participantId
                            + " in round "
                            + round.round()
                            + " is out of order: the participant's last step was "
                            + step
                            + ", and "
                            + call
                            + " must follow "
                            + expected);
        }
    }

    private void requireRound(int messageRound, String what) {
        round.requireSameRound(messageRound, what, participantId + " is in");
    }

    private void requireQuorum(int remaining, SecAggStage stage, String counted) {
        if (remaining < config.threshold()) {
            step = Step.ABORTED;
            throw new SecAggAbortedException(
                    round.round(), stage, remaining, config.threshold(), counted);
        }
    }
}
