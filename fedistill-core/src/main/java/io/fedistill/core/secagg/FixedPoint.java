package io.fedistill.core.secagg;

/**
 * Maps float vectors into the ring of integers modulo 2^32 that secure aggregation sums in, and
 * maps a sum back, so that the sum of up to {@code maxParticipants} encodings never wraps.
 *
 * <p>A value is clipped to [-clip, clip], multiplied by {@code scale} and rounded to the nearest
 * integer. A sum of encodings is read as a signed 32-bit integer and divided by {@code scale}.
 * Since {@code maxParticipants * round(clip * scale)} must not exceed 2^31 - 1, no admissible sum
 * wraps around and the signed reading is exact. The scale must be a power of two, so that scaling
 * and unscaling are exact in double precision and the only errors are the rounding to an integer
 * and the final rounding to float, both bounded by {@link #maxDecodingError()}.
 *
 * @param clip the magnitude every value is clipped to; positive and finite
 * @param scale the number of integer steps per unit; a positive power of two
 * @param maxParticipants the most encodings that may be summed; positive
 */
public record FixedPoint(float clip, double scale, int maxParticipants) {
    private static final double LARGEST_SUM = Integer.MAX_VALUE;

    /** Float's unit roundoff: the largest relative error of rounding a double to float. */
    private static final double FLOAT_ROUNDOFF = 0x1p-24;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the bad parameter, and in particular when a sum of
     *     {@code maxParticipants} values clipped to {@code clip} could overflow 2^31
     */
    public FixedPoint {
        if (!(clip > 0) || Float.isInfinite(clip)) {
            throw new IllegalArgumentException("clip must be positive and finite, got " + clip);
        }
        if (!(scale > 0)
                || Double.isInfinite(scale)
                || scale != Math.scalb(1.0, Math.getExponent(scale))) {
            throw new IllegalArgumentException(
                    "scale must be a positive power of two, got " + scale);
        }
        if (maxParticipants < 1) {
            throw new IllegalArgumentException(
                    "maxParticipants must be >= 1, got " + maxParticipants);
        }
        double largestSum = (double) maxParticipants * largestEncoding(clip, scale);
        if (largestSum > LARGEST_SUM) {
            throw new IllegalArgumentException(
                    "maxParticipants * clip * scale must stay below 2^31 so that a sum cannot"
                            + " wrap, got "
                            + maxParticipants
                            + " * "
                            + clip
                            + " * "
                            + scale
                            + " = "
                            + largestSum);
        }
    }

    /**
     * Returns the encoding with the finest resolution for sums of up to {@code maxParticipants}
     * values clipped to {@code clip}: the largest power-of-two scale whose sums cannot wrap.
     *
     * @param clip the magnitude every value is clipped to
     * @param maxParticipants the most encodings that may be summed
     */
    public static FixedPoint forParticipants(float clip, int maxParticipants) {
        if (!(clip > 0) || Float.isInfinite(clip) || maxParticipants < 1) {
            // let the constructor name the bad parameter
            return new FixedPoint(clip, 1, maxParticipants);
        }
        double scale = Math.scalb(1.0, Math.getExponent(LARGEST_SUM / maxParticipants / clip));
        // rounding clip * scale up to the next integer can still tip the sum over the limit
        while ((double) maxParticipants * largestEncoding(clip, scale) > LARGEST_SUM) {
            scale /= 2;
        }
        return new FixedPoint(clip, scale, maxParticipants);
    }

    /**
     * Encodes values for secure aggregation: clipped to [-clip, clip], scaled and rounded.
     *
     * @throws IllegalArgumentException if a value is NaN, naming its index
     */
    public int[] encode(float[] values) {
        int[] encoded = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float value = values[i];
            if (Float.isNaN(value)) {
                throw new IllegalArgumentException("cannot encode NaN at index " + i);
            }
            float clipped = Math.max(-clip, Math.min(clip, value));
            encoded[i] = (int) Math.round(clipped * scale);
        }
        return encoded;
    }

    /**
     * Decodes a sum of encodings (or a single encoding) back to floats: each word read as a signed
     * 32-bit integer and divided by the scale.
     */
    public float[] decode(int[] sum) {
        float[] decoded = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            decoded[i] = (float) (sum[i] / scale);
        }
        return decoded;
    }

    /**
     * Returns the largest difference between a value clipped to [-clip, clip] and the decoding of
     * its encoding; a decoded sum of n encodings lies within {@code n * maxDecodingError()} of the
     * sum of the clipped values.
     *
     * <p>The bound is half a step, {@code 0.5 / scale}, for the rounding to an integer, plus
     * float's relative rounding error 2^-24 of the largest magnitude a decoding can have, {@code
     * clip + 0.5 / scale}. Both terms grow at most linearly in the number of summands, hence the
     * bound on sums.
     */
    public double maxDecodingError() {
        double halfStep = 0.5 / scale;
        return halfStep + FLOAT_ROUNDOFF * (clip + halfStep);
    }

    private static double largestEncoding(float clip, double scale) {
        return Math.round(clip * scale);
    }
}
