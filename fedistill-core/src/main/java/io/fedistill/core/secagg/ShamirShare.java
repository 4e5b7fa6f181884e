package io.fedistill.core.secagg;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Holds one point of a Shamir sharing polynomial over the field of {@link ShamirSharing#PRIME}.
 *
 * @param x the x-coordinate, positive; in a round, the holder's roster position plus one
 * @param y the polynomial's value at {@code x}, in [0, prime)
 */
record ShamirShare(int x, BigInteger y) {
    /**
     * Validates the point.
     *
     * @throws IllegalArgumentException if {@code x} is not positive or {@code y} is outside the
     *     field
     */
    ShamirShare {
        Objects.requireNonNull(y, "y");
        if (x < 1) {
            throw new IllegalArgumentException("share x-coordinate must be >= 1, got " + x);
        }
        if (y.signum() < 0 || y.compareTo(ShamirSharing.PRIME) >= 0) {
            throw new IllegalArgumentException(
                    "share value at x = " + x + " lies outside the field of 2^521 - 1");
        }
    }

    /** Reads a share whose value arrives as {@link ShamirSharing#SHARE_BYTES} big-endian bytes. */
    static ShamirShare fromBytes(int x, byte[] y) {
        if (y.length != ShamirSharing.SHARE_BYTES) {
            throw new IllegalArgumentException(
                    "share value must be " + ShamirSharing.SHARE_BYTES + " bytes, got " + y.length);
        }
        return new ShamirShare(x, new BigInteger(1, y));
    }

    /** Returns the value as {@link ShamirSharing#SHARE_BYTES} big-endian bytes. */
    byte[] yBytes() {
        byte[] minimal = y.toByteArray();
        byte[] fixed = new byte[ShamirSharing.SHARE_BYTES];
        // toByteArray may prepend a sign byte of zero, or be shorter than the fixed width
        int copied = Math.min(minimal.length, fixed.length);
        System.arraycopy(minimal, minimal.length - copied, fixed, fixed.length - copied, copied);
        return fixed;
    }

    /** Keeps the share's value out of logs. */
    @Override
    public String toString() {
        return "ShamirShare[x=" + x + ", y=<hidden>]";
    }
}
