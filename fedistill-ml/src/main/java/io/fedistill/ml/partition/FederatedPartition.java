package io.fedistill.ml.partition;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/**
 * The split of a training set among named participants, each with a local test split; the source of
 * the run's {@code partition.csv}.
 *
 * @param splits one split per participant, in participant order
 * @param numClasses number of classes, for histograms
 */
public record FederatedPartition(List<ParticipantSplit> splits, int numClasses) {
    /** Freezes the list. */
    public FederatedPartition {
        splits = List.copyOf(splits);
    }

    /**
     * Partitions a training set and holds out a share of each participant's samples as its local
     * test split.
     *
     * @param partitioner how to split
     * @param labels every training label
     * @param numClasses number of classes
     * @param participantIds the participants, in order
     * @param localTestFraction share of each participant's samples held out, in [0, 0.5]
     * @param seed the partition seed
     * @return the partition
     */
    public static FederatedPartition create(
            Partitioner partitioner,
            int[] labels,
            int numClasses,
            List<String> participantIds,
            double localTestFraction,
            long seed) {
        if (!(localTestFraction >= 0 && localTestFraction <= 0.5)) {
            throw new IllegalArgumentException(
                    "local test fraction must be in [0, 0.5], got " + localTestFraction);
        }
        List<int[]> parts = partitioner.split(labels, numClasses, participantIds.size(), seed);
        Random random = new Random(seed ^ 0x5DEECE66DL);
        List<ParticipantSplit> splits = new ArrayList<>();
        for (int p = 0; p < parts.size(); p++) {
            int[] part = parts.get(p);
            int[] order = Seeds.permutation(part.length, random);
            int testCount =
                    part.length > 1 && localTestFraction > 0
                            ? Math.max(1, (int) Math.floor(part.length * localTestFraction))
                            : 0;
            int[] test = new int[testCount];
            int[] train = new int[part.length - testCount];
            for (int i = 0; i < part.length; i++) {
                if (i < testCount) {
                    test[i] = part[order[i]];
                } else {
                    train[i - testCount] = part[order[i]];
                }
            }
            Arrays.sort(test);
            Arrays.sort(train);
            splits.add(new ParticipantSplit(participantIds.get(p), train, test));
        }
        return new FederatedPartition(splits, numClasses);
    }

    /**
     * Partitions only the samples in {@code pool} (the rest of the training set is kept out, e.g.
     * as public data); the returned indices point into the full training set.
     */
    public static FederatedPartition create(
            Partitioner partitioner,
            int[] labels,
            int[] pool,
            int numClasses,
            List<String> participantIds,
            double localTestFraction,
            long seed) {
        int[] poolLabels = new int[pool.length];
        for (int i = 0; i < pool.length; i++) {
            poolLabels[i] = labels[pool[i]];
        }
        FederatedPartition local =
                create(
                        partitioner,
                        poolLabels,
                        numClasses,
                        participantIds,
                        localTestFraction,
                        seed);
        List<ParticipantSplit> mapped = new ArrayList<>();
        for (ParticipantSplit split : local.splits()) {
            mapped.add(
                    new ParticipantSplit(
                            split.participantId(),
                            map(split.trainIndices(), pool),
                            map(split.localTestIndices(), pool)));
        }
        return new FederatedPartition(mapped, numClasses);
    }

    private static int[] map(int[] positions, int[] pool) {
        int[] out = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            out[i] = pool[positions[i]];
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * Checks that no participant's samples are public samples.
     *
     * @throws IllegalArgumentException naming a participant and a shared sample
     */
    public void checkDisjointFrom(int[] publicIndices) {
        BitSet shared = new BitSet();
        for (int i : publicIndices) {
            shared.set(i);
        }
        for (ParticipantSplit split : splits) {
            for (int[] part : List.of(split.trainIndices(), split.localTestIndices())) {
                for (int i : part) {
                    if (shared.get(i)) {
                        throw new IllegalArgumentException(
                                "public data overlaps the private data of "
                                        + split.participantId()
                                        + " (training sample "
                                        + i
                                        + "); public samples must be held out");
                    }
                }
            }
        }
    }

    /** Returns each participant's per-label count of training plus local test samples. */
    public int[][] labelHistogram(int[] labels) {
        int[][] histogram = new int[splits.size()][numClasses];
        for (int p = 0; p < splits.size(); p++) {
            for (int i : splits.get(p).trainIndices()) {
                histogram[p][labels[i]]++;
            }
            for (int i : splits.get(p).localTestIndices()) {
                histogram[p][labels[i]]++;
            }
        }
        return histogram;
    }
}
