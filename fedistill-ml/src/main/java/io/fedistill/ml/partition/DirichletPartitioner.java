package io.fedistill.ml.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.random.Well19937c;

/**
 * Label skew: for every class, the shares of the participants are drawn from Dirichlet(alpha) (Hsu
 * et al. 2019). Draws are repeated until every participant holds at least a minimum of samples, so
 * nobody is left with an empty training set.
 */
final class DirichletPartitioner implements Partitioner {
    private static final int MAX_ATTEMPTS = 1000;
    private final double alpha;

    DirichletPartitioner(double alpha) {
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("dirichlet alpha must be > 0, got " + alpha);
        }
        this.alpha = alpha;
    }

    @Override
    public String describe() {
        return "dirichlet(alpha=" + alpha + ")";
    }

    @Override
    public List<int[]> split(int[] labels, int numClasses, int participants, long seed) {
        Partitions.checkParticipants(participants, labels.length);
        int minimum = Math.max(1, Math.min(10, labels.length / (2 * participants)));
        Random random = new Random(seed);
        Well19937c gammaRandom = new Well19937c(seed);
        List<int[]> byClass = Partitions.shuffledByClass(labels, numClasses, random);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<List<Integer>> parts = new ArrayList<>();
            for (int p = 0; p < participants; p++) {
                parts.add(new ArrayList<>());
            }
            for (int[] members : byClass) {
                double[] shares = Partitions.dirichlet(participants, alpha, gammaRandom);
                int start = 0;
                double cumulative = 0;
                for (int p = 0; p < participants; p++) {
                    cumulative += shares[p];
                    int end =
                            p == participants - 1
                                    ? members.length
                                    : (int) Math.round(cumulative * members.length);
                    end = Math.max(start, Math.min(members.length, end));
                    for (int i = start; i < end; i++) {
                        parts.get(p).add(members[i]);
                    }
                    start = end;
                }
            }
            if (parts.stream().allMatch(part -> part.size() >= minimum)) {
                return Partitions.toSortedArrays(parts);
            }
        }
        throw new IllegalArgumentException(
                "dirichlet(alpha="
                        + alpha
                        + ") left a participant with fewer than "
                        + minimum
                        + " samples in "
                        + MAX_ATTEMPTS
                        + " draws; use fewer participants or a larger alpha");
    }
}
