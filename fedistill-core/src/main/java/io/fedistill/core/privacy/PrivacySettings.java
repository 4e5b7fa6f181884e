package io.fedistill.core.privacy;

/**
 * Differential privacy of what participants upload, at the participant level: every upload's
 * knowledge or weight update is clipped to an L2 norm, and Gaussian noise of standard deviation
 * {@code noiseMultiplier * clip} is added to the sum, by the coordinator ({@link Mode#CENTRAL}) or
 * in shares by the participants under secure aggregation ({@link Mode#DISTRIBUTED}).
 *
 * @param clip the L2 norm every participant's upload (its weights' change, or its logits, soft
 *     labels or features) is clipped to; positive
 * @param noiseMultiplier the noise's standard deviation over the clip; positive
 * @param delta the delta of the reported (epsilon, delta) guarantee, in (0, 1)
 * @param mode who adds the noise
 */
public record PrivacySettings(double clip, double noiseMultiplier, double delta, Mode mode) {

    /** Who adds the noise. */
    public enum Mode {
        /** The coordinator, to what it received: it sees clipped uploads without noise. */
        CENTRAL,
        /**
         * Each participant, its 1/sqrt(n) share of the noise, under secure aggregation: the
         * coordinator sees only the noisy sum.
         */
        DISTRIBUTED
    }

    /** Checks the ranges, naming the field and the bad value. */
    public PrivacySettings {
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new IllegalArgumentException("privacy.clip must be > 0, got " + clip);
        }
        if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException(
                    "privacy.noiseMultiplier must be > 0, got " + noiseMultiplier);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("privacy.delta must be in (0, 1), got " + delta);
        }
        if (mode == null) {
            throw new IllegalArgumentException("privacy.mode must be central or distributed");
        }
    }
}
