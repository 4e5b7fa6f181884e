package io.fedistill.algorithms.common;

import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustRule;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-label mean vectors (logits or feature prototypes) with the number of samples behind each row:
 * FD's upload, and, summed over other participants with counts as weights, its teacher; the local
 * and global class prototypes of FedProto and FedTGP.
 *
 * @param kind the tensor name: {@link #LOGITS} or {@link #FEATURES}
 * @param means row c: mean vector over samples of label c (zeros where the count is 0)
 * @param counts samples behind each row
 */
public record PerLabelMeans(String kind, float[][] means, int[] counts) {
    /** The kind (and tensor name) of per-label mean logits. */
    public static final String LOGITS = "logits";

    /** The kind (and tensor name) of per-label feature prototypes. */
    public static final String FEATURES = "features";

    /** The tensor name of the samples behind each row. */
    public static final String COUNTS = "counts";

    /**
     * Divides per-label sums by their counts; a null sum row (no samples) becomes zeros of {@code
     * width}.
     */
    public static PerLabelMeans fromSums(String kind, float[][] sums, int[] counts, int width) {
        float[][] means = new float[sums.length][width];
        for (int c = 0; c < sums.length; c++) {
            for (int k = 0; k < width && sums[c] != null; k++) {
                means[c][k] = counts[c] == 0 ? 0 : sums[c][k] / counts[c];
            }
        }
        return new PerLabelMeans(kind, means, counts.clone());
    }

    /**
     * Returns one participant's teacher: everybody else's latest rows, label by label, combined by
     * {@code weighting}'s mean or, for a robust rule, entry by entry under it, so that its own
     * upload never teaches it (FD's teacher).
     *
     * @param participantId the participant the teacher is for
     * @param kind the kind of the rows
     * @param latest each participant's latest rows
     * @param contributionOf what a participant reported for weighting
     * @param weighting how the mean weighs the others' rows
     * @param robust the rule combining them
     * @param classes the number of labels
     * @param width the rows' width
     */
    public static PerLabelMeans ofOthers(
            String participantId,
            String kind,
            Map<String, PerLabelMeans> latest,
            Function<String, ParticipantWeighting.Contribution> contributionOf,
            ParticipantWeighting weighting,
            RobustAggregation robust,
            int classes,
            int width) {
        List<String> others =
                latest.keySet().stream().filter(other -> !other.equals(participantId)).toList();
        return combine(
                kind,
                others.stream().map(latest::get).toList(),
                others.stream().map(contributionOf).toList(),
                weighting,
                robust,
                classes,
                width);
    }

    /**
     * Combines several participants' vectors label by label: by {@code weighting}'s mean ({@link
     * #weightedMean}) or, for a robust rule, entry by entry under it ({@link #robust}).
     *
     * @param kind the kind of the rows
     * @param parts each participant's rows, with the samples behind them
     * @param contributions what each participant reported for weighting, in the same order
     * @param weighting how the mean weighs the rows (a robust rule weighs every holder equally)
     * @param robust the rule combining them
     * @param classes the number of labels
     * @param width the rows' width
     */
    public static PerLabelMeans combine(
            String kind,
            List<PerLabelMeans> parts,
            List<ParticipantWeighting.Contribution> contributions,
            ParticipantWeighting weighting,
            RobustAggregation robust,
            int classes,
            int width) {
        return robust.rule() == RobustRule.MEAN
                ? weightedMean(kind, parts, contributions, weighting, classes, width)
                : robust(kind, parts, robust, classes, width);
    }

    /**
     * Weighted mean of several participants' vectors, label by label: participant {@code p}'s row
     * for label {@code c} counts with {@code weighting}'s raw weight when {@code p} holds samples
     * of {@code c}, and not at all otherwise; a label whose holders all weigh 0 falls back to equal
     * weights among them. Class-count weighting is the count-weighted mean.
     */
    public static PerLabelMeans weightedMean(
            String kind,
            List<PerLabelMeans> parts,
            List<ParticipantWeighting.Contribution> contributions,
            ParticipantWeighting weighting,
            int classes,
            int width) {
        double[][] weights = new double[parts.size()][classes];
        double[] totals = new double[classes];
        int[] counts = new int[classes];
        for (int p = 0; p < parts.size(); p++) {
            for (int c = 0; c < classes; c++) {
                if (parts.get(p).counts[c] > 0) {
                    weights[p][c] =
                            weighting.rawWeight(contributions.get(p), c, "participant " + p);
                    totals[c] += weights[p][c];
                    counts[c] += parts.get(p).counts[c];
                }
            }
        }
        double[][] sums = new double[classes][width];
        for (int c = 0; c < classes; c++) {
            boolean equalWeights = totals[c] == 0; // every holder weighs 0: count them equally
            for (int p = 0; p < parts.size(); p++) {
                if (equalWeights && parts.get(p).counts[c] > 0) {
                    weights[p][c] = 1;
                    totals[c] += 1;
                }
                for (int k = 0; k < width; k++) {
                    sums[c][k] += weights[p][c] * parts.get(p).means[c][k];
                }
            }
        }
        float[][] means = new float[classes][width];
        for (int c = 0; c < classes; c++) {
            for (int k = 0; k < width; k++) {
                means[c][k] = totals[c] == 0 ? 0 : (float) (sums[c][k] / totals[c]);
            }
        }
        return new PerLabelMeans(kind, means, counts);
    }

    /**
     * Combines several participants' vectors label by label under a robust rule: for label {@code
     * c}, the rows of the participants that hold samples of {@code c}, entry by entry (median,
     * trimmed mean), so that a few bad uploads cannot drag the teacher or the prototype. Counts are
     * summed as in the mean.
     */
    public static PerLabelMeans robust(
            String kind,
            List<PerLabelMeans> parts,
            RobustAggregation rule,
            int classes,
            int width) {
        float[][] means = new float[classes][width];
        int[] counts = new int[classes];
        for (int c = 0; c < classes; c++) {
            List<float[]> rows = new ArrayList<>();
            for (PerLabelMeans part : parts) {
                if (part.counts[c] > 0) {
                    rows.add(part.means[c]);
                    counts[c] += part.counts[c];
                }
            }
            if (!rows.isEmpty()) {
                means[c] = combineRows(rows, rule);
            }
        }
        return new PerLabelMeans(kind, means, counts);
    }

    /**
     * Returns the parts with each label's rows clipped as {@code clipping} says: for label {@code
     * c}, among the parts that hold samples of it, a row farther from the centre (the origin for
     * {@link RowClipping#NORM}, the rows' entry-by-entry median for {@link RowClipping#CENTRED})
     * than the lower median of those rows' distances to it (the middle one; of two middle ones, the
     * smaller) is moved along the line to the centre until it is that far; the other rows, and rows
     * of labels a part does not hold (zeros; a prototype upload with another row there is refused
     * as it arrives), are left as they are. So while at least half the holders of a label are
     * honest (more than half for the centred median row itself), a row blown up in scale (norm) or
     * pointing anywhere (centred) pulls a mean or a median no further than an honest row at that
     * distance would, and the honest rows within it keep their spread; a label with one holder is
     * left as it is.
     *
     * @param parts each participant's rows, with the samples behind them
     * @param clipping how the rows are clipped; {@link RowClipping#NONE} returns the parts
     * @return the clipped parts, in the same order, with the same counts, and how many rows moved
     */
    public static ClippedRows clippedRows(List<PerLabelMeans> parts, RowClipping clipping) {
        if (parts.isEmpty() || clipping == RowClipping.NONE) {
            return new ClippedRows(parts, clipping, 0, 0, 0);
        }
        int classes = parts.get(0).counts.length;
        int held = 0;
        int rowsClipped = 0;
        double radiusToCentre = 0;
        int centredLabels = 0;
        float[][][] clipped = new float[parts.size()][][];
        for (int p = 0; p < parts.size(); p++) {
            clipped[p] = parts.get(p).means.clone();
        }
        for (int c = 0; c < classes; c++) {
            List<float[]> rows = new ArrayList<>();
            List<Integer> holders = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                if (parts.get(p).counts[c] > 0) {
                    holders.add(p);
                    rows.add(parts.get(p).means[c]);
                }
            }
            if (rows.isEmpty()) {
                continue;
            }
            float[] middle =
                    clipping == RowClipping.NORM
                            ? new float[rows.get(0).length]
                            : combineRows(rows, RobustAggregation.median());
            double[] distances = new double[rows.size()];
            for (int h = 0; h < distances.length; h++) {
                distances[h] = distance(rows.get(h), middle);
            }
            // the lower median: an honest row's distance while at least half the holders are honest
            double[] sorted = distances.clone();
            Arrays.sort(sorted);
            double radius = sorted[(sorted.length - 1) / 2];
            if (clipping == RowClipping.CENTRED && holders.size() > 1) {
                double centreNorm = distance(middle, new float[middle.length]);
                if (centreNorm > 0) {
                    radiusToCentre += radius / centreNorm;
                    centredLabels++;
                }
            }
            held += holders.size();
            for (int h = 0; h < holders.size(); h++) {
                if (distances[h] > radius) {
                    rowsClipped++;
                    float[] row = rows.get(h);
                    float[] moved = new float[row.length];
                    double shrink = radius / distances[h];
                    for (int k = 0; k < row.length; k++) {
                        moved[k] = (float) (middle[k] + (row[k] - middle[k]) * shrink);
                    }
                    clipped[holders.get(h)][c] = moved;
                }
            }
        }
        List<PerLabelMeans> result = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            result.add(new PerLabelMeans(parts.get(p).kind, clipped[p], parts.get(p).counts));
        }
        return new ClippedRows(
                result,
                clipping,
                held,
                rowsClipped,
                centredLabels == 0 ? 0 : radiusToCentre / centredLabels);
    }

    /**
     * Parts whose rows {@link #clippedRows} clipped, and what the clipping did, for a round's
     * metrics.
     *
     * @param parts the clipped parts
     * @param clipping how they were clipped
     * @param rowsHeld the rows of held labels, over all parts
     * @param rowsClipped those of them moved to the radius
     * @param radiusToCentre for centred clipping, the radius over the norm of the median row,
     *     averaged over the labels with more than one holder: how far, relative to a prototype's
     *     own size, a clipped row may still lie from the centre (0 otherwise)
     */
    public record ClippedRows(
            List<PerLabelMeans> parts,
            RowClipping clipping,
            int rowsHeld,
            int rowsClipped,
            double radiusToCentre) {
        /** Copies the parts. */
        public ClippedRows {
            parts = List.copyOf(parts);
        }

        /**
         * Returns {@code rows_clipped} and {@code rows_held}, and for centred clipping {@code
         * clip_radius_to_centre}; nothing without clipping.
         */
        public Metrics metrics() {
            if (clipping == RowClipping.NONE) {
                return Metrics.empty();
            }
            Metrics counted = Metrics.of("rows_clipped", rowsClipped, "rows_held", rowsHeld);
            return clipping == RowClipping.CENTRED
                    ? counted.with("clip_radius_to_centre", radiusToCentre)
                    : counted;
        }
    }

    /** Combines rows of one label entry by entry under a rule, every row weighing the same. */
    private static float[] combineRows(List<float[]> rows, RobustAggregation rule) {
        double[][] equal = new double[rows.size()][rows.get(0).length];
        for (double[] weights : equal) {
            Arrays.fill(weights, 1.0 / rows.size());
        }
        List<float[][]> tables = rows.stream().map(row -> new float[][] {row}).toList();
        return rule.aggregateKnowledge(tables, equal).aggregate()[0];
    }

    private static double distance(float[] row, float[] centre) {
        double sum = 0;
        for (int k = 0; k < row.length; k++) {
            double d = (double) row[k] - centre[k];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    /** Returns the role of the means a kind names: logits or features. */
    public static TensorRole roleOf(String kind) {
        return kind.equals(FEATURES) ? TensorRole.FEATURES : TensorRole.LOGITS;
    }

    /** Reads the record's two tensors. */
    public static PerLabelMeans fromRecord(String kind, TensorRecord record) {
        Tensor countTensor = record.get(COUNTS);
        int[] counts = new int[countTensor.size()];
        for (int c = 0; c < counts.length; c++) {
            float count = countTensor.get(c);
            if (count < 0 || count != Math.rint(count)) {
                throw new IllegalArgumentException(
                        "label " + c + " has count " + count + ", not a count");
            }
            counts[c] = (int) count;
        }
        return fromRecord(kind, record, counts);
    }

    /** Reads the record's means, one row per entry of {@code counts}, with those counts. */
    public static PerLabelMeans fromRecord(String kind, TensorRecord record, int[] counts) {
        Tensor values = record.get(kind);
        int width = values.shape()[1];
        float[][] means = new float[counts.length][width];
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < width; k++) {
                means[c][k] = values.get(c * width + k);
            }
        }
        return new PerLabelMeans(kind, means, counts);
    }

    /** Writes the means and counts as two tensors. */
    public TensorRecord toRecord() {
        int classes = counts.length;
        int width = classes == 0 ? 0 : means[0].length;
        float[] flat = new float[classes * width];
        float[] countValues = new float[classes];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(means[c], 0, flat, c * width, width);
            countValues[c] = counts[c];
        }
        return TensorRecord.builder()
                .put(kind, Tensor.wrap(new int[] {classes, width}, flat), roleOf(kind))
                .put(COUNTS, Tensor.wrap(new int[] {classes}, countValues), TensorRole.COUNTS)
                .build();
    }

    /** Returns teacher rows: the mean where some sample stands behind it, null where none does. */
    public float[][] teacherRows() {
        float[][] rows = new float[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            rows[c] = counts[c] > 0 ? means[c].clone() : null;
        }
        return rows;
    }

    /**
     * Returns these means, which include {@code own}, without it: label by label {@code (N M - n m)
     * / (N - n)} over the remaining counts. How a participant of secure FD turns the global means
     * into its teacher, since the coordinator cannot leave out what it never saw.
     *
     * @throws IllegalArgumentException when {@code own} counts more of a label than these do
     */
    public PerLabelMeans without(PerLabelMeans own) {
        float[][] rest = new float[counts.length][];
        int[] restCounts = new int[counts.length];
        for (int c = 0; c < counts.length; c++) {
            restCounts[c] = counts[c] - own.counts[c];
            if (restCounts[c] < 0) {
                throw new IllegalArgumentException(
                        "label "
                                + c
                                + ": own count "
                                + own.counts[c]
                                + " exceeds the total "
                                + counts[c]);
            }
            rest[c] = new float[means[c].length];
            for (int k = 0; k < rest[c].length && restCounts[c] > 0; k++) {
                rest[c][k] =
                        (float)
                                (((double) counts[c] * means[c][k]
                                                - (double) own.counts[c] * own.means[c][k])
                                        / restCounts[c]);
            }
        }
        return new PerLabelMeans(kind, rest, restCounts);
    }

    /** Returns whether no sample stands behind any row. */
    public boolean isEmpty() {
        for (int count : counts) {
            if (count > 0) {
                return false;
            }
        }
        return true;
    }
}
