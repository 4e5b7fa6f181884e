package io.fedistill.core.secagg;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Carries one participant's two X25519 public keys for a round: one to agree on the keys that
 * encrypt the shares it exchanges, one to agree on the seeds of its pairwise masks. A participant
 * sends it at {@link SecAggStage#ADVERTISE_KEYS}; the server forwards it to the participant's
 * neighbours.
 *
 * @param round the round the keys are for
 * @param participantId whose keys these are
 * @param encryptionKey the raw 32-byte X25519 public key for encrypting shares (RFC 7748)
 * @param maskingKey the raw 32-byte X25519 public key for pairwise masks (RFC 7748)
 */
public record AdvertisedKeys(
        int round, String participantId, byte[] encryptionKey, byte[] maskingKey) {
    /**
     * Copies the keys and checks their lengths.
     *
     * @throws IllegalArgumentException if a key is not 32 bytes long
     */
    public AdvertisedKeys {
        Objects.requireNonNull(participantId, "participantId");
        encryptionKey = copyOfKey(encryptionKey, "encryptionKey", participantId);
        maskingKey = copyOfKey(maskingKey, "maskingKey", participantId);
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

    /** Compares the keys by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof AdvertisedKeys that
                && round == that.round
                && participantId.equals(that.participantId)
                && Arrays.equals(encryptionKey, that.encryptionKey)
                && Arrays.equals(maskingKey, that.maskingKey);
    }

    /** Hashes the keys by content. */
    @Override
    public int hashCode() {
        return Objects.hash(
                round, participantId, Arrays.hashCode(encryptionKey), Arrays.hashCode(maskingKey));
    }

    /** Shows the public keys in hex; they are not secret. */
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
