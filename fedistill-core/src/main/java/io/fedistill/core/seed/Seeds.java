package io.fedistill.core.seed;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Derives every random stream of a run from one run seed, so the same config and seed give the same
 * partition, selection, initialization and shuffles.
 */
public final class Seeds {
    private Seeds() {}

    /**
     * Derives a seed for one purpose of one participant in one round.
     *
     * @param runSeed the run's seed
     * @param round the round (0 for setup)
     * @param participantId the participant, or "" for coordinator-wide draws
     * @param purpose what the stream is for, e.g. "selection" or "shuffle"
     * @return a well-mixed 64-bit seed
     */
    public static long derive(long runSeed, int round, String participantId, String purpose) {
        long h = mix(runSeed);
        h = mix(h ^ round);
        h = mix(h ^ fnv(participantId));
        return mix(h ^ fnv(purpose));
    }

    /**
     * Returns a uniformly random permutation of {@code 0 .. n-1} (Fisher-Yates), drawn from {@code
     * random}: the one shuffle every partition and training epoch uses.
     */
    public static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    private static long mix(long value) {
        return new SplittableRandom(value).nextLong();
    }

    private static long fnv(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
