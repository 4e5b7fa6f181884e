package io.fedistill.core.secagg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Carries the share of one participant's secret that a surviving neighbour reveals to the server at
 * {@link SecAggStage#UNMASKING}. The share's x-coordinate is implied by the neighbour who sends it:
 * its position in the roster plus one.
 *
 * @param owner the participant whose secret this is a share of
 * @param secret which of the owner's two secrets it is a share of
 * @param share the Shamir share's value, big-endian, as many bytes as the field's prime
 */
public record RevealedShare(String owner, Secret secret, byte[] share) {
    /** Names the two secrets a participant shares. */
    public enum Secret {
        /**
         * The seed of the participant's self mask: revealed for survivors, whose self mask is in
         * the sum.
         */
        SELF_MASK_SEED,
        /**
         * The participant's masking private key: revealed for dropped participants, whose pairwise
         * masks with survivors did not cancel.
         */
        MASKING_KEY
    }

    /**
     * Copies the share and checks its length.
     *
     * @throws IllegalArgumentException if the share does not have the field's length
     */
    public RevealedShare {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(share, "share");
        if (share.length != ShamirSharing.SHARE_BYTES) {
            throw new IllegalArgumentException(
                    "share of "
                            + owner
                            + "'s "
                            + secret
                            + " must be "
                            + ShamirSharing.SHARE_BYTES
                            + " bytes, got "
                            + share.length);
        }
        share = share.clone();
    }

    /** Returns a copy of the share's value. */
    @Override
    public byte[] share() {
        return share.clone();
    }

    /** Compares the revealed shares by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof RevealedShare that
                && owner.equals(that.owner)
                && secret == that.secret
                && Arrays.equals(share, that.share);
    }

    /** Hashes the revealed share by content. */
    @Override
    public int hashCode() {
        return Objects.hash(owner, secret, Arrays.hashCode(share));
    }

    /** Names the owner and the secret, keeping the share's value out of logs. */
    @Override
    public String toString() {
        return "RevealedShare[owner=" + owner + ", secret=" + secret + ", share=<hidden>]";
    }
}
