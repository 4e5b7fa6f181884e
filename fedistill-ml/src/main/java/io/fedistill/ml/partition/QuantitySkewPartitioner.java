package io.fedistill.ml.partition;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.random.Well19937c;

/**
 * Quantity skew: labels stay IID but participant sizes follow Dirichlet(alpha) shares, each
 * participant keeping at least a minimum of samples.
 */
final class QuantitySkewPartitioner implements Partitioner {
    private final double alpha;

    QuantitySkewPartitioner(double alpha) {
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("quantity alpha must be > 0, got " + alpha);
        }
        this.alpha = alpha;
    }

    @Override
    public String describe() {
        return "quantity(alpha=" + alpha + ")";
    }

    @Override
    public List<int[]> split(int[] labels, int numClasses, int participants, long seed) {
        Partitions.checkParticipants(participants, labels.length);
        int minimum = Math.max(1, Math.min(10, labels.length / (2 * participants)));
        int[] order = Seeds.permutation(labels.length, new Random(seed));
        double[] shares = Partitions.dirichlet(participants, alpha, new Well19937c(seed));
        int spare = labels.length - minimum * participants;
        List<int[]> parts = new ArrayList<>();
        int start = 0;
        double cumulative = 0;
        for (int p = 0; p < participants; p++) {
            cumulative += shares[p];
            int end =
                    p == participants - 1
                            ? labels.length
                            : minimum * (p + 1) + (int) Math.round(cumulative * spare);
            int[] part = Arrays.copyOfRange(order, start, Math.max(start, end));
            Arrays.sort(part);
            parts.add(part);
            start = Math.max(start, end);
        }
        return parts;
    }
}
