package io.fedistill.algorithms.fedproto;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.algorithms.common.RowClipping;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.ArrayList;
import java.util.List;

/**
 * One participant's prototype upload as the coordinator aggregates it: its per-class feature means
 * with the samples behind them (or, where it withheld its counts, one for each row), and its
 * presence, a weight per class (1 where it holds samples of the class, 0 elsewhere) that travels as
 * a probability, which top-k never sparsifies: under differential privacy the presence is clipped,
 * noised and scaled with the means, so a class's prototype, the sum of the uploads' rows over the
 * sum of their presence, stays a mean whatever the clipping and scaling did, and its noise is the
 * sum's (every upload's rows count, the zero rows of classes it does not hold included, so that
 * every upload's noise is in the sum).
 *
 * @param prototypes the per-class means (zero rows for classes the participant does not hold) and
 *     the samples behind them, or one for each row whose presence is not zero where the upload
 *     withheld its counts
 * @param presence the presence weight of each class
 */
public record PrototypeUpload(PerLabelMeans prototypes, float[] presence) {
    /** The tensor name of the presence weights. */
    public static final String PRESENCE = "presence";

    /** Checks that there is one presence weight per class. */
    public PrototypeUpload {
        if (presence.length != prototypes.counts().length) {
            throw new IllegalArgumentException(
                    "presence has "
                            + presence.length
                            + " weights for "
                            + prototypes.counts().length
                            + " classes");
        }
    }

    /**
     * Returns the uploads with each class's rows clipped against its other holders' rows ({@link
     * PerLabelMeans#clippedRows}), their presence unchanged.
     */
    public static List<PrototypeUpload> clippedRows(
            List<PrototypeUpload> uploads, RowClipping clipping) {
        return withPrototypes(uploads, clippedPrototypes(uploads, clipping).parts());
    }

    /** Returns the uploads' prototypes clipped as {@link #clippedRows} clips them, with metrics. */
    public static PerLabelMeans.ClippedRows clippedPrototypes(
            List<PrototypeUpload> uploads, RowClipping clipping) {
        return PerLabelMeans.clippedRows(
                uploads.stream().map(PrototypeUpload::prototypes).toList(), clipping);
    }

    /** Returns the uploads with these prototypes, in the same order, their presence unchanged. */
    public static List<PrototypeUpload> withPrototypes(
            List<PrototypeUpload> uploads, List<PerLabelMeans> prototypes) {
        List<PrototypeUpload> result = new ArrayList<>(uploads.size());
        for (int i = 0; i < uploads.size(); i++) {
            result.add(new PrototypeUpload(prototypes.get(i), uploads.get(i).presence()));
        }
        return result;
    }

    /** Returns a participant's upload: its prototypes, and presence 1 where it holds samples. */
    public static TensorRecord toRecord(PerLabelMeans prototypes) {
        float[] presence = new float[prototypes.counts().length];
        for (int c = 0; c < presence.length; c++) {
            presence[c] = prototypes.counts()[c] > 0 ? 1 : 0;
        }
        return TensorRecord.builder()
                .putAll(prototypes.toRecord())
                .put(PRESENCE, Tensor.vector(presence), TensorRole.PROBABILITIES)
                .build();
    }

    private static boolean isZero(float[] row) {
        for (float v : row) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads an upload. One that withheld its sample counts (under differential privacy) counts one
     * sample behind each row whose presence weight is not zero (clipping scales presence down, and
     * noise moves every class's off zero, so under noise every row counts once and no upload is
     * ever left out as empty): whether the federation holds a class is then the sum of the presence
     * weights to say, which are clipped and noised with the prototypes. One that reports its counts
     * must agree with them: presence and prototype zero for a class without samples, presence above
     * zero for one with samples.
     *
     * @throws IllegalArgumentException naming the class whose counts, presence or prototype
     *     disagree
     */
    public static PrototypeUpload fromRecord(TensorRecord record) {
        float[] presence = record.get(PRESENCE).toFloatArray();
        if (record.find(PerLabelMeans.COUNTS).isPresent()) {
            PerLabelMeans prototypes = PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, record);
            for (int c = 0; c < presence.length; c++) {
                // the plain mean sums every row over the presence: a class the upload does not
                // hold must add nothing to either, and one it holds must count in both
                boolean held = prototypes.counts()[c] > 0;
                if (held == (presence[c] == 0) || !held && !isZero(prototypes.means()[c])) {
                    throw new IllegalArgumentException(
                            "class "
                                    + c
                                    + " has "
                                    + prototypes.counts()[c]
                                    + " samples behind it but presence "
                                    + presence[c]
                                    + (held ? "" : " or a prototype that is not zero")
                                    + "; a class without samples has presence 0 and a zero"
                                    + " prototype, one with samples a presence above 0");
                }
            }
            return new PrototypeUpload(prototypes, presence);
        }
        int[] rows = new int[presence.length];
        for (int c = 0; c < presence.length; c++) {
            rows[c] = presence[c] != 0 ? 1 : 0;
        }
        return new PrototypeUpload(
                PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, record, rows), presence);
    }
}
