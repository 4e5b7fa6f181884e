package io.fedistill.ml.partition;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Pathological label skew (McMahan et al. 2017): samples sorted by label are cut into {@code
 * participants * labelsPerParticipant} shards and each participant gets that many shards at random,
 * so it sees about that many labels.
 */
final class ShardPartitioner implements Partitioner {
    private final int labelsPerParticipant;

    ShardPartitioner(int labelsPerParticipant) {
        if (labelsPerParticipant < 1) {
            throw new IllegalArgumentException(
                    "shards labels per participant must be >= 1, got " + labelsPerParticipant);
        }
        this.labelsPerParticipant = labelsPerParticipant;
    }

    @Override
    public String describe() {
        return "shards(labels=" + labelsPerParticipant + ")";
    }

    @Override
    public List<int[]> split(int[] labels, int numClasses, int participants, long seed) {
        int shardCount = participants * labelsPerParticipant;
        Partitions.checkParticipants(participants, labels.length);
        Partitions.checkLabelsPerParticipant(labelsPerParticipant, numClasses);
        if (labels.length < shardCount) {
            throw new IllegalArgumentException(
                    "cannot cut " + labels.length + " samples into " + shardCount + " shards");
        }
        Random random = new Random(seed);
        List<int[]> byClass = Partitions.shuffledByClass(labels, numClasses, random);
        int[] sorted = byClass.stream().flatMapToInt(Arrays::stream).toArray();
        int[] shardOrder = Seeds.permutation(shardCount, random);
        List<List<Integer>> parts = new ArrayList<>();
        for (int p = 0; p < participants; p++) {
            List<Integer> part = new ArrayList<>();
            for (int s = 0; s < labelsPerParticipant; s++) {
                int shard = shardOrder[p * labelsPerParticipant + s];
                int from = (int) ((long) sorted.length * shard / shardCount);
                int to = (int) ((long) sorted.length * (shard + 1) / shardCount);
                for (int i = from; i < to; i++) {
                    part.add(sorted[i]);
                }
            }
            parts.add(part);
        }
        return Partitions.toSortedArrays(parts);
    }
}
