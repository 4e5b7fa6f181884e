package io.fedistill.ml.data;

import io.fedistill.core.seed.Seeds;
import java.util.Arrays;
import java.util.Random;

/**
 * A shared dataset every participant (and the coordinator) holds locally, disjoint from all private
 * data: the transfer set of distillation algorithms. Rounds use subsets of it, named by a seed, so
 * only the seed travels, never the samples.
 *
 * @param pool the dataset the indices point into
 * @param indices the samples that make up the public set
 * @param labeled whether algorithms may read its labels (FedMD's transfer phase); when false
 *     nothing in fedistill reads them
 */
public record PublicData(ImageDataset pool, int[] indices, boolean labeled) {
    /** Copies the indices and checks they are in range. */
    public PublicData {
        indices = indices.clone();
        for (int i : indices) {
            if (i < 0 || i >= pool.size()) {
                throw new IllegalArgumentException(
                        "public sample " + i + " is outside " + pool.name());
            }
        }
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** Returns the number of public samples. */
    public int size() {
        return indices.length;
    }

    /**
     * Returns the subset a round uses: {@code size} samples drawn without replacement by {@code
     * seed}, the same on every participant and on the coordinator.
     */
    public int[] subset(long seed, int size) {
        if (size >= indices.length) {
            return indices.clone();
        }
        int[] copy = indices.clone();
        Random random = new Random(Seeds.derive(seed, 0, "", "public-subset"));
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(copy.length - i);
            int tmp = copy[i];
            copy[i] = copy[j];
            copy[j] = tmp;
        }
        int[] subset = Arrays.copyOf(copy, size);
        Arrays.sort(subset);
        return subset;
    }
}
