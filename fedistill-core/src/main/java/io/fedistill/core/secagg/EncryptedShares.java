package io.fedistill.core.secagg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Carries the shares of one participant's two secrets (its masking private key and its self-mask
 * seed) that it entrusts to one neighbour, sealed with AES-GCM under their pairwise encryption key
 * so that only the recipient can read them and the server can neither read nor alter them. The
 * round, sender and recipient are bound into the authentication tag.
 *
 * @param round the round the shares belong to
 * @param sender whose secrets are shared
 * @param recipient who may decrypt the shares
 * @param nonce the 12-byte AES-GCM nonce
 * @param ciphertext the sealed shares, authentication tag included
 */
public record EncryptedShares(
        int round, String sender, String recipient, byte[] nonce, byte[] ciphertext) {
    /**
     * Copies the bytes and checks the nonce length.
     *
     * @throws IllegalArgumentException if the nonce is not 12 bytes or the ciphertext is empty
     */
    public EncryptedShares {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (nonce.length != KeyExchange.NONCE_BYTES) {
            throw new IllegalArgumentException(
                    "nonce of the shares from "
                            + sender
                            + " to "
                            + recipient
                            + " must be "
                            + KeyExchange.NONCE_BYTES
                            + " bytes, got "
                            + nonce.length);
        }
        if (ciphertext.length == 0) {
            throw new IllegalArgumentException(
                    "ciphertext of the shares from " + sender + " to " + recipient + " is empty");
        }
        nonce = nonce.clone();
        ciphertext = ciphertext.clone();
    }

    /** Returns a copy of the nonce. */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** Returns a copy of the sealed shares. */
    @Override
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** Compares the sealed shares by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof EncryptedShares that
                && round == that.round
                && sender.equals(that.sender)
                && recipient.equals(that.recipient)
                && Arrays.equals(nonce, that.nonce)
                && Arrays.equals(ciphertext, that.ciphertext);
    }

    /** Hashes the sealed shares by content. */
    @Override
    public int hashCode() {
        return Objects.hash(
                round, sender, recipient, Arrays.hashCode(nonce), Arrays.hashCode(ciphertext));
    }

    /** Shows who sent the shares to whom, and their size. */
    @Override
    public String toString() {
        return "EncryptedShares[round="
                + round
                + ", sender="
                + sender
                + ", recipient="
                + recipient
                + ", ciphertext="
                + ciphertext.length
                + " bytes]";
    }
}
