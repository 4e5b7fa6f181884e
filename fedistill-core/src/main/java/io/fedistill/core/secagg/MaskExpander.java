package io.fedistill.core.secagg;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Expands a 32-byte seed into a pseudorandom vector of 32-bit words, the mask a participant adds to
 * its input, and adds or subtracts it in place.
 *
 * <p>The generator is AES-256 in counter mode keyed with the seed, starting from the all-zero
 * counter block, whose keystream is read as big-endian words. The zero counter is safe because no
 * seed is used for more than one mask: self-mask seeds are drawn afresh each round and pairwise
 * seeds are derived from fresh keys and the round.
 */
final class MaskExpander {
    /** The length of a mask seed: one AES-256 key. */
    static final int SEED_BYTES = 32;

    private static final int BLOCK_BYTES = 16;

    /** Words of keystream generated per call into the cipher, bounding the scratch memory. */
    private static final int CHUNK_WORDS = 4096;

    private MaskExpander() {}

    /** Adds the mask a seed expands to into {@code vector}, word by word modulo 2^32. */
    static void addMask(int[] vector, byte[] seed) {
        apply(vector, seed, 1);
    }

    /** Subtracts the mask a seed expands to from {@code vector}, word by word modulo 2^32. */
    static void subtractMask(int[] vector, byte[] seed) {
        apply(vector, seed, -1);
    }

    private static void apply(int[] vector, byte[] seed, int sign) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException(
                    "mask seed must be " + SEED_BYTES + " bytes, got " + seed.length);
        }
        Cipher cipher = keystream(seed);
        byte[] zeros = new byte[CHUNK_WORDS * Integer.BYTES];
        byte[] stream = new byte[zeros.length];
        for (int start = 0; start < vector.length; start += CHUNK_WORDS) {
            int words = Math.min(CHUNK_WORDS, vector.length - start);
            int bytes = words * Integer.BYTES;
            try {
                cipher.update(zeros, 0, bytes, stream, 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CTR keystream failed", e);
            }
            for (int i = 0; i < words; i++) {
                int offset = i * Integer.BYTES;
                int word =
                        (stream[offset] & 0xff) << 24
                                | (stream[offset + 1] & 0xff) << 16
                                | (stream[offset + 2] & 0xff) << 8
                                | (stream[offset + 3] & 0xff);
                vector[start + i] += sign * word;
            }
        }
    }

    private static Cipher keystream(byte[] seed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(
                    Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(seed, "AES"),
                    new IvParameterSpec(new byte[BLOCK_BYTES]));
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot run AES-256-CTR", e);
        }
    }
}
