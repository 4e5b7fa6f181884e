package io.fedistill.ml.partition;

import java.util.List;

/**
 * Splits a training set's sample indices among participants to create a chosen kind of
 * heterogeneity; the same labels, count and seed always give the same split.
 */
public interface Partitioner {

    /** Returns the partitioner that deals samples out uniformly at random. */
    static Partitioner iid() {
        return new IidPartitioner();
    }

    /** Returns the Dirichlet label-skew partitioner; smaller alpha gives more skew. */
    static Partitioner dirichlet(double alpha) {
        return new DirichletPartitioner(alpha);
    }

    /**
     * Returns the shard partitioner: each participant holds about {@code labelsPerParticipant}
     * labels.
     */
    static Partitioner shards(int labelsPerParticipant) {
        return new ShardPartitioner(labelsPerParticipant);
    }

    /**
     * Returns PFLlib's and HtFLlib's pathological partitioner: each participant holds exactly
     * {@code labelsPerParticipant} distinct labels, each label shared evenly among its holders.
     */
    static Partitioner pathological(int labelsPerParticipant) {
        return new PathologicalPartitioner(labelsPerParticipant);
    }

    /**
     * Returns the quantity-skew partitioner: IID labels, participant sizes drawn from
     * Dirichlet(alpha).
     */
    static Partitioner quantitySkew(double alpha) {
        return new QuantitySkewPartitioner(alpha);
    }

    /** Returns the name used in configs, with its parameter. */
    String describe();

    /**
     * Splits sample indices.
     *
     * @param labels the label of every sample
     * @param numClasses number of classes
     * @param participants number of participants, at least 1
     * @param seed the partition seed
     * @return one sorted index array per participant; together they hold every sample once
     */
    List<int[]> split(int[] labels, int numClasses, int participants, long seed);
}
