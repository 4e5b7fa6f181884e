package io.fedistill.core.attack;

import io.fedistill.core.seed.Seeds;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A simulated attack: which participants turn bad and what they do, so the simulation runtime can
 * ask {@link #attackers} once, then for each attacker pass its training labels through {@link
 * #trainingLabels} and its upload through {@link #apply}.
 *
 * <p>Upload attacks act by tensor role: logit attacks touch score tables, the rank-2 {@link
 * TensorRole#LOGITS} and {@link TensorRole#PROBABILITIES} tensors (a row per sample or label, a
 * column per class; a vector of probabilities, such as FedProto's presence weights, is no score
 * table and stays as it is), weight attacks touch {@link TensorRole#WEIGHTS}, feature attacks touch
 * {@link TensorRole#FEATURES}, {@link TensorRole#COUNTS} tensors (the label counts that class-count
 * weighting reads) are multiplied by {@link #countScale} under every kind, so attackers can also
 * claim more votes, and {@link TensorRole#EXACT} tensors are never touched. With {@link
 * #countsFollowUpload} the attackers also report counts that agree with what their tampered scores
 * predict, to pass a check of scores against counts ({@code
 * io.fedistill.core.aggregate.LabelPriorCheck}).
 *
 * @param kind what the attackers do
 * @param fraction the fraction of participants that attack, in [0, 1]
 * @param scale for {@link AttackKind#SCALED_WEIGHTS} and {@link AttackKind#SCALED_FEATURES}, the
 *     factor the weights or features are multiplied by, e.g. -10 or 10; finite
 * @param countScale the factor the attackers' reported label counts are multiplied by (and rounded
 *     to whole numbers, as counts must be): 1 for honest counts; positive and finite
 * @param countsFollowUpload whether the attackers report label counts shaped like the mean of their
 *     tampered scores per class (softmax of each row for logits, where the prior check averages the
 *     logits themselves, so agreement is likely but not exact), with the same total as the counts
 *     they would report; applies where the upload holds one score matrix with a column per counted
 *     class
 * @param seed the seed of the draw that picks the attackers
 */
public record AttackConfig(
        AttackKind kind,
        double fraction,
        double scale,
        double countScale,
        boolean countsFollowUpload,
        long seed) {

    /** Checks every field's range, naming the field and the bad value. */
    public AttackConfig {
        if (kind == null) {
            throw new IllegalArgumentException(
                    "kind must be one of " + AttackKind.knownNames() + ", got null");
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite, got " + scale);
        }
        if (!(countScale > 0) || !Double.isFinite(countScale)) {
            throw new IllegalArgumentException(
                    "countScale must be positive and finite, got " + countScale);
        }
    }

    /** Creates an attack whose attackers report honest label counts ({@code countScale} 1). */
    public AttackConfig(AttackKind kind, double fraction, double scale, long seed) {
        this(kind, fraction, scale, 1, false, seed);
    }

    /**
     * Returns the attacking participants: {@code round(fraction * n)} ids drawn without replacement
     * from the sorted ids by a {@link Random} seeded with {@link #seed}, so the choice depends only
     * on the set of ids and the seed.
     *
     * @param participantIds the ids of all n participants, distinct, in any order
     * @return the attackers' ids, sorted
     * @throws IllegalArgumentException when an id appears twice
     */
    public SortedSet<String> attackers(Collection<String> participantIds) {
        List<String> sorted = new ArrayList<>(participantIds);
        Collections.sort(sorted);
        for (int k = 1; k < sorted.size(); k++) {
            if (sorted.get(k).equals(sorted.get(k - 1))) {
                throw new IllegalArgumentException(
                        "participant ids must be distinct, '" + sorted.get(k) + "' appears twice");
            }
        }
        int count = (int) Math.round(fraction * sorted.size());
        int[] order = Seeds.permutation(sorted.size(), new Random(seed));
        SortedSet<String> chosen = new TreeSet<>();
        for (int k = 0; k < count; k++) {
            chosen.add(sorted.get(order[k]));
        }
        return Collections.unmodifiableSortedSet(chosen);
    }

    /**
     * Returns the labels an attacker trains on: for {@link AttackKind#LABEL_FLIPPING}, {@code y ->
     * C - 1 - y}; for every other kind, the labels unchanged. Always a new array.
     *
     * @param labels class indices, each in [0, classes) when flipped
     * @param classes C, the number of classes, at least 1
     * @throws IllegalArgumentException naming the first label out of range
     */
    public int[] trainingLabels(int[] labels, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        int[] out = labels.clone();
        if (kind != AttackKind.LABEL_FLIPPING) {
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0 || out[i] >= classes) {
                throw new IllegalArgumentException(
                        "label " + out[i] + " at index " + i + " is outside [0, " + classes + ")");
            }
            out[i] = classes - 1 - out[i];
        }
        return out;
    }

    /**
     * Returns an attacker's upload as this attack tampers with it: same names, order, shapes and
     * roles, with the values of the tensors whose role the attack acts on replaced. {@link
     * AttackKind#LABEL_FLIPPING} with honest counts ({@code countScale} 1, counts not following the
     * scores) returns the upload unchanged.
     *
     * @param upload what the participant would send
     * @param random the draws of {@link AttackKind#RANDOM_LOGITS} and {@link
     *     AttackKind#RANDOM_FEATURES}; unused by the other kinds
     * @return the tampered upload
     */
    public TensorRecord apply(TensorRecord upload, Random random) {
        Objects.requireNonNull(random, "random");
        TensorRecord.Builder out = TensorRecord.builder();
        upload.asMap()
                .forEach(
                        (name, tensor) -> {
                            TensorRole role = upload.role(name);
                            out.put(name, tamper(tensor, role, random), role);
                        });
        TensorRecord tampered = out.build();
        return countsFollowUpload ? withCountsFollowingScores(tampered) : tampered;
    }

    /**
     * Returns the upload with each count vector replaced by counts shaped like the mean of its one
     * score matrix, when it holds exactly one whose rows are as wide as the counts; otherwise as it
     * is.
     */
    private static TensorRecord withCountsFollowingScores(TensorRecord upload) {
        List<String> scores =
                upload.names().stream()
                        .filter(
                                name ->
                                        upload.role(name) == TensorRole.LOGITS
                                                || upload.role(name) == TensorRole.PROBABILITIES)
                        .filter(name -> upload.get(name).shape().length == 2)
                        .toList();
        if (scores.size() != 1) {
            return upload;
        }
        Tensor matrix = upload.get(scores.get(0));
        boolean logits = upload.role(scores.get(0)) == TensorRole.LOGITS;
        TensorRecord.Builder out = TensorRecord.builder();
        for (String name : upload.names()) {
            Tensor tensor = upload.get(name);
            TensorRole role = upload.role(name);
            boolean follows =
                    role == TensorRole.COUNTS
                            && tensor.shape().length == 1
                            && tensor.size() > 0
                            && tensor.size() == matrix.shape()[1];
            out.put(name, follows ? Tampering.countsLike(tensor, matrix, logits) : tensor, role);
        }
        return out.build();
    }

    private Tensor tamper(Tensor tensor, TensorRole role, Random random) {
        if (role == TensorRole.COUNTS) {
            return countScale == 1 ? tensor : Tampering.scaledCounts(tensor, countScale);
        }
        boolean logitAttack =
                kind == AttackKind.RANDOM_LOGITS || kind == AttackKind.INVERTED_LOGITS;
        if (logitAttack && tensor.shape().length != 2) {
            return tensor; // no score table: a vector such as FedProto's presence weights
        }
        return switch (kind) {
            case LABEL_FLIPPING -> tensor;
            case RANDOM_LOGITS ->
                    switch (role) {
                        case LOGITS -> Tampering.gaussianLike(tensor, random);
                        case PROBABILITIES -> Tampering.randomDistributions(tensor, random);
                        default -> tensor;
                    };
            case INVERTED_LOGITS ->
                    switch (role) {
                        case LOGITS -> Tampering.scaled(tensor, -1);
                        case PROBABILITIES -> Tampering.reversedRanking(tensor);
                        default -> tensor;
                    };
            case SCALED_WEIGHTS ->
                    role == TensorRole.WEIGHTS ? Tampering.scaled(tensor, scale) : tensor;
            case SIGN_FLIPPED_WEIGHTS ->
                    role == TensorRole.WEIGHTS ? Tampering.scaled(tensor, -1) : tensor;
            case RANDOM_FEATURES ->
                    role == TensorRole.FEATURES
                            ? Tampering.gaussianLikeInNonZeroRows(tensor, random)
                            : tensor;
            case SCALED_FEATURES ->
                    role == TensorRole.FEATURES ? Tampering.scaled(tensor, scale) : tensor;
        };
    }
}
