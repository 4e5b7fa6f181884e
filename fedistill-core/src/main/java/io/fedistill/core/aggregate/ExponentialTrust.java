package io.fedistill.core.aggregate;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trust in each participant's knowledge, learnt over the rounds by exponential weights (ExpGuard,
 * Roux, Zimmer and Pokutta, ICLR 2025): every round a participant's loss is the mean distance of
 * its score rows from the round's aggregate, its trust is multiplied by {@code exp(-stepSize *
 * loss)}, and the aggregate is recomputed with each participant's weights scaled by its trust. A
 * participant that keeps sending scores far from the others' loses its say round after round, while
 * one that is far only now and then keeps most of it.
 *
 * <p>Each round charges the loss in excess of the round's median loss. With every participant in
 * every round, as in the paper, that changes nothing (trust is relative, and the whole round is
 * charged the same median); under partial participation it keeps a participant that was sampled
 * less often, or joins late with the starting trust of 1, from outranking participants with a
 * typical record merely because they were charged more often.
 *
 * <p>A coordinator holds one per algorithm and checkpoints it ({@link #snapshot}, {@link
 * #restore}); log trust is kept at float precision, as a checkpoint holds it, so a restored run
 * goes on exactly. Trust is relative: within a round, a participant's weight for a class is scaled
 * by {@code exp(log trust - max log trust)} over the participants that vote on that class, so the
 * most trusted holder of a class keeps its full weight and a class never loses all its votes (the
 * scores are finite, as the reply checks ensure).
 */
public final class ExponentialTrust {
    private final double stepSize;
    private final Map<String, Double> logTrust = new TreeMap<>();

    /**
     * Creates trust that falls by {@code exp(-stepSize * loss)} a round.
     *
     * @throws IllegalArgumentException when the step size is not positive and finite
     */
    public ExponentialTrust(double stepSize) {
        if (!(stepSize > 0) || !Double.isFinite(stepSize)) {
            throw new IllegalArgumentException(
                    "trust step size must be positive and finite, got " + stepSize);
        }
        this.stepSize = stepSize;
    }

    /**
     * Charges each participant the mean Euclidean distance of its score rows from the reference's
     * (in excess of the round's median), lowers its trust accordingly, and returns the weights
     * scaled by trust. Bad input changes no trust.
     *
     * @param participants who sent each score matrix, each once
     * @param scores one n x C matrix per participant
     * @param reference the round's n x C aggregate the distances are measured from
     * @param classWeights participant x class weights, each column summing to 1
     * @return the weights scaled by trust, each column again summing to 1 (a column of zeros stays
     *     so); a participant weighing 0 for a class still weighs 0
     * @throws IllegalArgumentException when a participant is named twice or the sizes disagree
     */
    public double[][] reweigh(
            List<String> participants,
            List<float[][]> scores,
            float[][] reference,
            double[][] classWeights) {
        int n = participants.size();
        if (scores.size() != n || classWeights.length != n) {
            throw new IllegalArgumentException(
                    n
                            + " participants but "
                            + scores.size()
                            + " score matrices and "
                            + classWeights.length
                            + " weight rows");
        }
        if (new HashSet<>(participants).size() != n) {
            throw new IllegalArgumentException("a participant is named twice in " + participants);
        }
        int classes = n == 0 ? 0 : classWeights[0].length;
        double[] losses = new double[n];
        for (int p = 0; p < n; p++) {
            if (classWeights[p].length != classes) {
                throw new IllegalArgumentException(
                        participants.get(p)
                                + " has "
                                + classWeights[p].length
                                + " class weights, "
                                + participants.get(0)
                                + " "
                                + classes);
            }
            losses[p] = meanDistance(scores.get(p), reference, participants.get(p));
        }
        double median = CoordinateWise.median(losses);
        for (int p = 0; p < n; p++) {
            String id = participants.get(p);
            double charged = logTrust.getOrDefault(id, 0.0) - stepSize * (losses[p] - median);
            logTrust.put(id, (double) (float) charged);
        }
        double[][] scaled = new double[n][classes];
        for (int k = 0; k < classes; k++) {
            double highest = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                if (classWeights[p][k] > 0) {
                    highest = Math.max(highest, logTrust.get(participants.get(p)));
                }
            }
            for (int p = 0; p < n; p++) {
                scaled[p][k] =
                        classWeights[p][k] > 0
                                ? classWeights[p][k]
                                        * Math.exp(logTrust.get(participants.get(p)) - highest)
                                : 0;
            }
        }
        return ParticipantWeighting.normalizeColumns(scaled, classWeights);
    }

    /**
     * Returns the trust of the given participants relative to the most trusted of them (1 for that
     * one, in [0, 1] for the others, 0 where it underflows), in the given order.
     */
    public Map<String, Double> relativeTrust(List<String> participants) {
        double highest =
                participants.stream()
                        .mapToDouble(id -> logTrust.getOrDefault(id, 0.0))
                        .max()
                        .orElse(0);
        Map<String, Double> relative = new LinkedHashMap<>();
        participants.forEach(
                id -> relative.put(id, Math.exp(logTrust.getOrDefault(id, 0.0) - highest)));
        return relative;
    }

    /** Returns every participant's log trust, one scalar per participant id. */
    public TensorRecord snapshot() {
        TensorRecord.Builder out = TensorRecord.builder();
        logTrust.forEach(
                (id, log) -> out.put(id, Tensor.vector(log.floatValue()), TensorRole.EXACT));
        return out.build();
    }

    /**
     * Replaces what is held with a {@link #snapshot}.
     *
     * @throws IllegalArgumentException when an entry is not a single finite value
     */
    public void restore(TensorRecord snapshot) {
        Map<String, Double> restored = new TreeMap<>();
        snapshot.asMap()
                .forEach(
                        (id, tensor) -> {
                            float[] values = tensor.toFloatArray();
                            if (values.length != 1) {
                                throw new IllegalArgumentException(
                                        "trust of "
                                                + id
                                                + " must be one value, got "
                                                + values.length);
                            }
                            if (!Float.isFinite(values[0])) {
                                throw new IllegalArgumentException(
                                        "trust of " + id + " must be finite, got " + values[0]);
                            }
                            restored.put(id, (double) values[0]);
                        });
        logTrust.clear();
        logTrust.putAll(restored);
    }

    private static double meanDistance(float[][] scores, float[][] reference, String who) {
        if (scores.length != reference.length) {
            throw new IllegalArgumentException(
                    who
                            + " sent "
                            + scores.length
                            + " score rows, the aggregate has "
                            + reference.length);
        }
        if (scores.length == 0) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i].length != reference[i].length) {
                throw new IllegalArgumentException(
                        who
                                + "'s score row "
                                + i
                                + " has "
                                + scores[i].length
                                + " classes, the aggregate's "
                                + reference[i].length);
            }
            double squares = 0;
            for (int k = 0; k < scores[i].length; k++) {
                double d = scores[i][k] - reference[i][k];
                squares += d * d;
            }
            sum += Math.sqrt(squares);
        }
        return sum / scores.length;
    }
}
