package io.fedistill.core.secagg;

import io.fedistill.core.identity.SigningIdentity;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Carries one participant's two X25519 public keys for a round: one to agree on the keys that
 * encrypt the shares it exchanges, one to agree on the seeds of its pairwise masks. A participant
 * sends it at {@link SecAggStage#ADVERTISE_KEYS}; the server forwards it to the participant's
 * neighbours. In signed secure aggregation it also carries the participant's credential and its
 * signature over the round, its id and both keys, so that neighbours can tell the keys are the
 * participant's and not the server's.
 *
 * @param round the round the keys are for
 * @param participantId whose keys these are
 * @param encryptionKey the raw 32-byte X25519 public key for encrypting shares (RFC 7748)
 * @param maskingKey the raw 32-byte X25519 public key for pairwise masks (RFC 7748)
 * @param credential the participant's credential ({@link SigningIdentity}); empty when unsigned
 * @param signature the participant's signature over the keys; empty when unsigned
 */
public record AdvertisedKeys(
        int round,
        String participantId,
        byte[] encryptionKey,
        byte[] maskingKey,
        byte[] credential,
        byte[] signature) {
    /**
     * Copies the keys and checks their lengths.
     *
     * @throws IllegalArgumentException if a key is not 32 bytes long, or only one of credential and
     *     signature is given
     */
    public AdvertisedKeys {
        Objects.requireNonNull(participantId, "participantId");
        encryptionKey = copyOfKey(encryptionKey, "encryptionKey", participantId);
        maskingKey = copyOfKey(maskingKey, "maskingKey", participantId);
        credential = Objects.requireNonNull(credential, "credential").clone();
        signature = Objects.requireNonNull(signature, "signature").clone();
        if ((credential.length == 0) != (signature.length == 0)) {
            throw new IllegalArgumentException(
                    "keys of participant "
                            + participantId
                            + " carry a "
                            + (credential.length == 0
                                    ? "signature without a credential"
                                    : "credential without a signature"));
        }
    }

    /** Creates unsigned keys, as the semi-honest protocol sends them. */
    public AdvertisedKeys(
            int round, String participantId, byte[] encryptionKey, byte[] maskingKey) {
        this(round, participantId, encryptionKey, maskingKey, new byte[0], new byte[0]);
    }

    /** Returns a copy of the raw encryption public key. */
    @Override
    public byte[] encryptionKey() {
        return encryptionKey.clone();
    }

    /** Returns a copy of the raw masking public key. */
    @Override
    public byte[] maskingKey() {
        return maskingKey.clone();
    }

    /** Returns a copy of the credential; empty when unsigned. */
    @Override
    public byte[] credential() {
        return credential.clone();
    }

    /** Returns a copy of the signature; empty when unsigned. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Returns whether the keys carry a credential and a signature. */
    public boolean isSigned() {
        return signature.length > 0;
    }

    /** Returns these keys signed by the identity for the round. */
    AdvertisedKeys signedBy(
            SigningIdentity identity, SecAggRound secAggRound, SecAggConfig config) {
        return new AdvertisedKeys(
                round,
                participantId,
                encryptionKey,
                maskingKey,
                identity.credential(),
                identity.sign(SignedStatements.keysStatement(this, secAggRound, config)));
    }

    /** Compares the keys by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof AdvertisedKeys that
                && round == that.round
                && participantId.equals(that.participantId)
                && Arrays.equals(encryptionKey, that.encryptionKey)
                && Arrays.equals(maskingKey, that.maskingKey)
                && Arrays.equals(credential, that.credential)
                && Arrays.equals(signature, that.signature);
    }

    /** Hashes the keys by content. */
    @Override
    public int hashCode() {
        return Objects.hash(
                round,
                participantId,
                Arrays.hashCode(encryptionKey),
                Arrays.hashCode(maskingKey),
                Arrays.hashCode(credential),
                Arrays.hashCode(signature));
    }

    /** Shows the public keys in hex, and the signature's length; none of it is secret. */
    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "AdvertisedKeys[round="
                + round
                + ", participantId="
                + participantId
                + ", encryptionKey="
                + hex.formatHex(encryptionKey)
                + ", maskingKey="
                + hex.formatHex(maskingKey)
                + (isSigned()
                        ? ", signed with a " + credential.length + "-byte credential"
                        : ", unsigned")
                + "]";
    }

    private static byte[] copyOfKey(byte[] key, String name, String participantId) {
        Objects.requireNonNull(key, name);
        if (key.length != KeyExchange.PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException(
                    name
                            + " of participant "
                            + participantId
                            + " must be "
                            + KeyExchange.PUBLIC_KEY_BYTES
                            + " bytes, got "
                            + key.length);
        }
        return key.clone();
    }
}
