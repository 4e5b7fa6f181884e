package io.fedistill.core.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Splits a secret of up to 64 bytes into Shamir shares, any {@code threshold} of which rebuild it
 * by Lagrange interpolation at zero, while fewer reveal nothing about it.
 *
 * <p>The field is that of the Mersenne prime 2^521 - 1: comfortably larger than any 32-byte secret
 * the protocol shares (seeds and X25519 keys), and a prime nobody needs to take on trust.
 */
final class ShamirSharing {
    /** The field's prime, 2^521 - 1. */
    static final BigInteger PRIME = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);

    /** How many bytes a share's value takes, big-endian: enough for any element of the field. */
    static final int SHARE_BYTES = (PRIME.bitLength() + 7) / 8;

    /** The longest secret that fits in the field with room to spare. */
    static final int MAX_SECRET_BYTES = 64;

    private ShamirSharing() {}

    /**
     * Splits a secret into one share per x-coordinate, any {@code threshold} of which reconstruct
     * it.
     *
     * @param secret the secret, at most {@link #MAX_SECRET_BYTES} bytes
     * @param threshold how many shares reconstruct the secret; between 1 and the number of shares
     * @param xs the distinct positive x-coordinates of the shares
     * @param random the source of the polynomial's coefficients
     */
    static List<ShamirShare> split(byte[] secret, int threshold, int[] xs, SecureRandom random) {
        if (secret.length > MAX_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "secret must be at most " + MAX_SECRET_BYTES + " bytes, got " + secret.length);
        }
        if (threshold < 1 || threshold > xs.length) {
            throw new IllegalArgumentException(
                    "threshold must be between 1 and the "
                            + xs.length
                            + " shares, got "
                            + threshold);
        }
        requireDistinct(xs);
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int i = 1; i < threshold; i++) {
            coefficients[i] = randomFieldElement(random);
        }
        List<ShamirShare> shares = new ArrayList<>(xs.length);
        for (int x : xs) {
            shares.add(new ShamirShare(x, evaluate(coefficients, x)));
        }
        return shares;
    }

    /**
     * Rebuilds a secret from at least threshold shares of it.
     *
     * @param shares shares with distinct x-coordinates
     * @param secretBytes the secret's length in bytes
     * @throws IllegalArgumentException if the shares interpolate to a value too large for the
     *     secret, which means they were too few or do not belong together
     */
    static byte[] combine(List<ShamirShare> shares, int secretBytes) {
        BigInteger value = interpolateAtZero(shares);
        if (value.bitLength() > 8 * secretBytes) {
            throw new IllegalArgumentException(
                    shares.size()
                            + " shares interpolate to a value wider than "
                            + secretBytes
                            + " bytes: too few shares, or shares of different secrets");
        }
        byte[] minimal = value.toByteArray();
        byte[] secret = new byte[secretBytes];
        int copied = Math.min(minimal.length, secretBytes);
        System.arraycopy(minimal, minimal.length - copied, secret, secretBytes - copied, copied);
        return secret;
    }

    /**
     * Returns the value at zero of the polynomial of least degree through the shares: the secret if
     * they are at least threshold shares of it, an unrelated field element if fewer.
     */
    static BigInteger interpolateAtZero(List<ShamirShare> shares) {
        if (shares.isEmpty()) {
            throw new IllegalArgumentException("cannot interpolate zero shares");
        }
        requireDistinct(shares.stream().mapToInt(ShamirShare::x).toArray());
        BigInteger sum = BigInteger.ZERO;
        for (ShamirShare share : shares) {
            // Lagrange basis at 0: the product over the other shares j of x_j / (x_j - x_i)
            BigInteger numerator = BigInteger.ONE;
            BigInteger denominator = BigInteger.ONE;
            BigInteger xi = BigInteger.valueOf(share.x());
            for (ShamirShare other : shares) {
                if (other != share) {
                    BigInteger xj = BigInteger.valueOf(other.x());
                    numerator = numerator.multiply(xj).mod(PRIME);
                    denominator = denominator.multiply(xj.subtract(xi)).mod(PRIME);
                }
            }
            BigInteger basis = numerator.multiply(denominator.modInverse(PRIME));
            sum = sum.add(share.y().multiply(basis)).mod(PRIME);
        }
        return sum;
    }

    private static BigInteger evaluate(BigInteger[] coefficients, int x) {
        BigInteger point = BigInteger.valueOf(x);
        BigInteger value = BigInteger.ZERO;
        for (int i = coefficients.length - 1; i >= 0; i--) {
            value = value.multiply(point).add(coefficients[i]).mod(PRIME);
        }
        return value;
    }

    private static BigInteger randomFieldElement(SecureRandom random) {
        BigInteger candidate;
        do {
            candidate = new BigInteger(PRIME.bitLength(), random);
        } while (candidate.compareTo(PRIME) >= 0);
        return candidate;
    }

    private static void requireDistinct(int[] xs) {
        Set<Integer> seen = new HashSet<>();
        for (int x : xs) {
            if (x < 1) {
                throw new IllegalArgumentException("share x-coordinate must be >= 1, got " + x);
            }
            if (!seen.add(x)) {
                throw new IllegalArgumentException("two shares have x-coordinate " + x);
            }
        }
    }
}
