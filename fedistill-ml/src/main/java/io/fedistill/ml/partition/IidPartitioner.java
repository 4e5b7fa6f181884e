package io.fedistill.ml.partition;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Shuffles all samples and deals them out in equal parts. */
final class IidPartitioner implements Partitioner {

    @Override
    public String describe() {
        return "iid";
    }

    @Override
    public List<int[]> split(int[] labels, int numClasses, int participants, long seed) {
        Partitions.checkParticipants(participants, labels.length);
        int[] order = Seeds.permutation(labels.length, new Random(seed));
        List<int[]> parts = new ArrayList<>();
        for (int p = 0; p < participants; p++) {
            int from = (int) ((long) labels.length * p / participants);
            int to = (int) ((long) labels.length * (p + 1) / participants);
            int[] part = Arrays.copyOfRange(order, from, to);
            Arrays.sort(part);
            parts.add(part);
        }
        return parts;
    }
}
