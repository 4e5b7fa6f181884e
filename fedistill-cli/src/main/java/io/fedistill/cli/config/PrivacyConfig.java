package io.fedistill.cli.config;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.fedproto.FedProtoSettings;
import io.fedistill.core.privacy.PrivacySettings;
import java.util.List;
import java.util.Locale;

/**
 * Differential privacy of the uploads of every algorithm of an experiment, or of one algorithm:
 * {@code privacy: {clip: 1.0, noiseMultiplier: 1.1, delta: 1e-5, mode: central}}.
 *
 * @param clip the L2 norm each upload (weights' change, logits, soft labels, features) is clipped
 *     to
 * @param noiseMultiplier the Gaussian noise's standard deviation over the clip
 * @param delta the delta of the reported guarantee (default 1e-5)
 * @param mode {@code central} (the coordinator adds the noise; the default) or {@code distributed}
 *     (the participants add it under secure aggregation)
 */
public record PrivacyConfig(Double clip, Double noiseMultiplier, Double delta, String mode) {
    /** The algorithms privacy applies to: those that aggregate uploads with equal weights. */
    private static final List<String> SUPPORTED =
            List.of("fedavg", "fedprox", "dsfl", "fedmd", "fedproto");

    /**
     * The supported algorithms that upload knowledge (soft labels, class scores, prototypes), not
     * weights: equal weights are their default.
     */
    private static final List<String> KNOWLEDGE = List.of("dsfl", "fedmd", "fedproto");

    /** The supported algorithms without secure aggregation, so without distributed noise. */
    private static final List<String> CENTRAL_ONLY = List.of("fedproto");

    /** Applies defaults and checks values. */
    public PrivacyConfig {
        delta = delta == null ? 1e-5 : delta;
        mode = mode == null ? "central" : mode;
        if (clip == null || noiseMultiplier == null) {
            throw new ConfigException(
                    "privacy needs clip and noiseMultiplier, e.g. {clip: 1.0, noiseMultiplier: 1.1}");
        }
        settings(clip, noiseMultiplier, delta, mode);
    }

    /** Returns the settings the runtime applies. */
    public PrivacySettings settings() {
        return settings(clip, noiseMultiplier, delta, mode);
    }

    /**
     * Refuses an option set to anything but its default, which privacy cannot honour: {@code
     * <where><option>: <value><why>}.
     */
    private static void refuseUnlessDefault(
            String where, AlgorithmConfig algorithm, String option, String fallback, String why) {
        Object value = algorithm.options().get(option);
        if (value != null && !fallback.equals(value)) {
            throw new ConfigException(where + option + ": " + value + why);
        }
    }

    private static PrivacySettings settings(
            double clip, double noiseMultiplier, double delta, String mode) {
        if (!mode.equals("central") && !mode.equals("distributed")) {
            throw new ConfigException(
                    "privacy.mode must be central or distributed, got '" + mode + "'");
        }
        try {
            return new PrivacySettings(
                    clip,
                    noiseMultiplier,
                    delta,
                    PrivacySettings.Mode.valueOf(mode.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Checks that an algorithm can honour these settings: it sums equally weighted uploads (the
     * noise is calibrated to one participant's clipped upload), and for distributed noise it sums
     * them securely.
     *
     * @throws ConfigException naming the algorithm, the setting and what to change
     */
    void check(AlgorithmConfig algorithm) {
        String where = "privacy with algorithms." + algorithm.label() + ": ";
        if (algorithm.name().equals("local-only")) {
            return;
        }
        if (algorithm.name().equals("fedtgp")) {
            throw new ConfigException(
                    where
                            + "fedtgp trains its prototype network on each participant's upload,"
                            + " while the noise is calibrated to their sum; FedProto's mean takes"
                            + " privacy");
        }
        if (!SUPPORTED.contains(algorithm.name())) {
            throw new ConfigException(
                    where
                            + algorithm.name()
                            + " does not aggregate equally weighted uploads, which the noise is"
                            + " calibrated to; privacy covers "
                            + SUPPORTED);
        }
        Object weighting = algorithm.options().get("weighting");
        boolean fedAvgFamily = !KNOWLEDGE.contains(algorithm.name());
        if (fedAvgFamily
                ? !"uniform".equals(weighting)
                : weighting != null && !"uniform".equals(weighting)) {
            throw new ConfigException(
                    where
                            + "participants weighted by "
                            + (weighting == null ? "examples" : weighting)
                            + " make one participant's share of the mean larger than the noise is"
                            + " calibrated to; set options.weighting: uniform");
        }
        refuseUnlessDefault(
                where,
                algorithm,
                "robust",
                "mean",
                " can let one participant's upload through alone, with noise calibrated to the"
                        + " mean of many; use the mean with privacy");
        refuseUnlessDefault(
                where,
                algorithm,
                FedProtoSettings.CLIP_ROWS,
                "none",
                " clips the rows of each class's holders, which a private upload hides by"
                        + " withholding its counts; privacy's clipping already bounds every upload,"
                        + " drop clipRows");
        if (Boolean.TRUE.equals(algorithm.options().get(AlgorithmOptions.PRIOR_CHECK))) {
            throw new ConfigException(
                    where
                            + "priorCheck compares each upload with the label counts it reports,"
                            + " which a private upload withholds; drop one of them");
        }
        boolean secure = Boolean.TRUE.equals(algorithm.options().get("secure"));
        if (mode.equals("central") && secure) {
            throw new ConfigException(
                    where
                            + "central noise is added to the uploads the coordinator receives,"
                            + " and with secure: true it receives none; use mode: distributed");
        }
        if (mode.equals("distributed") && CENTRAL_ONLY.contains(algorithm.name())) {
            throw new ConfigException(
                    where
                            + algorithm.name()
                            + " has no secure aggregation, which distributed noise needs; use"
                            + " mode: central");
        }
        if (mode.equals("distributed") && !secure) {
            throw new ConfigException(
                    where
                            + "distributed noise protects only a sum the coordinator cannot see"
                            + " apart; set options.secure: true");
        }
    }
}
