package io.fedistill.algorithms;

import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.aggregate.RobustRule;
import io.fedistill.core.secagg.SecureSumSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An algorithm's options as written in the experiment file, read with defaults; a name the
 * algorithm does not know is an error naming the allowed ones.
 */
public final class AlgorithmOptions {
    private final String algorithm;
    private final Map<String, Object> values;

    /**
     * Wraps options and checks their names.
     *
     * @param algorithm the algorithm's name, for messages
     * @param values the options as written
     * @param allowed the option names the algorithm knows
     */
    public AlgorithmOptions(String algorithm, Map<String, Object> values, List<String> allowed) {
        this.algorithm = algorithm;
        this.values = new LinkedHashMap<>(values);
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "algorithm '"
                            + algorithm
                            + "': unknown option(s) "
                            + unknown
                            + "; allowed: "
                            + allowed);
        }
    }

    /** Returns a number option, or the default when absent. */
    public double getDouble(String name, double fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(value.toString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    where(name) + " must be a number, got '" + value + "'", e);
        }
    }

    /** Returns a true-or-false option, or the default when absent. */
    public boolean getBoolean(String name, boolean fallback) {
        Object value = values.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean flag)) {
            throw new IllegalArgumentException(
                    where(name) + " must be true or false, got " + value);
        }
        return flag;
    }

    /** Returns a number option in [min, max], or the default when absent. */
    public double getDouble(String name, double fallback, double min, double max) {
        double value = getDouble(name, fallback);
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    where(name) + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /**
     * Returns a whole-number option in [min, max], or the default when absent; {@code 2.5} is an
     * error, not 2.
     */
    public int getInt(String name, int fallback, int min, int max) {
        double value = getDouble(name, fallback);
        if (value != Math.rint(value)) {
            throw new IllegalArgumentException(
                    where(name) + " must be a whole number, got " + values.get(name));
        }
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(
                    where(name) + " must be in [" + min + ", " + max + "], got " + (long) value);
        }
        return (int) value;
    }

    /** Returns a string option that must be one of {@code allowed}, or the default when absent. */
    public String getString(String name, String fallback, List<String> allowedValues) {
        Object value = values.get(name);
        String text = value == null ? fallback : value.toString();
        if (!allowedValues.contains(text)) {
            throw new IllegalArgumentException(
                    where(name) + " must be one of " + allowedValues + ", got '" + text + "'");
        }
        return text;
    }

    /**
     * Refuses a robust rule together with secure aggregation, which hides the individual uploads
     * the rule reads.
     *
     * @param algorithm the algorithm's config name
     * @param uploads what each participant uploads, in words (e.g. {@code soft labels})
     * @throws IllegalArgumentException naming the rule and what it would need
     */
    public static void refuseRobustUnderSecure(
            String algorithm,
            RobustAggregation robust,
            Optional<SecureSumSettings> secure,
            String uploads) {
        if (secure.isPresent() && robust.rule() != RobustRule.MEAN) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": robust: "
                            + robust.rule().configName()
                            + " needs each participant's "
                            + uploads
                            + ", which secure aggregation hides; choose one");
        }
    }

    /**
     * Refuses Krum and multi-Krum for an algorithm that combines each label's rows from the few
     * participants holding that label, where the rules' n > 2f + 2 rarely holds.
     *
     * @param algorithm the algorithm's config name
     * @param robust the rule chosen
     * @throws IllegalArgumentException naming the rule and the rules that work
     */
    public static void refuseWholeUploadRules(String algorithm, RobustAggregation robust) {
        if (robust.rule() == RobustRule.KRUM || robust.rule() == RobustRule.MULTI_KRUM) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": robust: "
                            + robust.rule().configName()
                            + " needs more than 2f + 2 uploads, and "
                            + algorithm
                            + " combines each label's rows from the few participants holding that"
                            + " label; use median or trimmed-mean");
        }
    }

    /**
     * The option that turns on trust learnt over the rounds ({@link
     * io.fedistill.core.aggregate.ExponentialTrust}, ExpGuard), which DS-FL and FedMD read: its
     * step size, 0 (the default) for none.
     */
    public static final String TRUST_STEP_SIZE = "trustStepSize";

    /** Returns the {@link #TRUST_STEP_SIZE}: 0 (no trust) when absent, at most 1000. */
    public double getTrustStepSize() {
        return getDouble(TRUST_STEP_SIZE, 0, 0, 1000);
    }

    /**
     * Refuses a step size that is negative or not finite, and trust ({@code trustStepSize > 0})
     * where it cannot work ({@link #refuseUnusableReweighing}).
     *
     * @param algorithm the algorithm's config name
     * @param trustStepSize the trust's step size, 0 for none
     * @param robust the rule whose weights trust would scale
     * @param secure the secure aggregation, if the uploads are summed by it
     * @param uploads what each participant uploads, in words (e.g. {@code soft labels})
     * @throws IllegalArgumentException naming the conflicting settings
     */
    public static void refuseUnusableTrust(
            String algorithm,
            double trustStepSize,
            RobustAggregation robust,
            Optional<SecureSumSettings> secure,
            String uploads) {
        if (!(trustStepSize >= 0) || !Double.isFinite(trustStepSize)) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": "
                            + TRUST_STEP_SIZE
                            + " must be finite and >= 0 (0: no trust), got "
                            + trustStepSize);
        }
        if (trustStepSize > 0) {
            refuseUnusableReweighing(algorithm, TRUST_STEP_SIZE, robust, secure, uploads);
        }
    }

    /**
     * The option that turns on the label-free check of each participant's scores against its
     * reported label counts ({@link io.fedistill.core.aggregate.LabelPriorCheck}), which DS-FL and
     * FedMD read: {@code false} (the default) for none.
     */
    public static final String PRIOR_CHECK = "priorCheck";

    /**
     * Refuses a defence that reweighs participants after reading each one's upload ({@code option}:
     * trust, the prior check, root labels) where it cannot work: under secure aggregation, which
     * hides the individual uploads it reads, and with a rule that does not read the participants'
     * weights it scales (only the mean and the median do).
     *
     * @param algorithm the algorithm's config name
     * @param option the defence's option name
     * @param robust the rule whose weights the defence would scale
     * @param secure the secure aggregation, if the uploads are summed by it
     * @param uploads what each participant uploads, in words (e.g. {@code soft labels})
     * @throws IllegalArgumentException naming the conflicting settings
     */
    public static void refuseUnusableReweighing(
            String algorithm,
            String option,
            RobustAggregation robust,
            Optional<SecureSumSettings> secure,
            String uploads) {
        if (secure.isPresent()) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": "
                            + option
                            + " reads each participant's "
                            + uploads
                            + ", which secure aggregation hides; choose one");
        }
        if (robust.rule() != RobustRule.MEAN && robust.rule() != RobustRule.MEDIAN) {
            throw new IllegalArgumentException(
                    algorithm
                            + ": "
                            + option
                            + " scales the participants' weights, which robust: "
                            + robust.rule().configName()
                            + " does not read; use robust: mean or median");
        }
    }

    /**
     * The options that choose a robust aggregation rule, which every aggregating algorithm reads
     * (add them to its allowed options).
     */
    public static final List<String> ROBUST_OPTIONS =
            List.of("robust", "trimFraction", "assumedByzantine", "multiKrumSelect");

    /**
     * Returns the aggregation rule the {@link #ROBUST_OPTIONS} choose: {@code robust} ({@code
     * mean}, the default, {@code median}, {@code trimmed-mean}, {@code krum} or {@code
     * multi-krum}), with {@code trimFraction} (default 0.1), {@code assumedByzantine} (default 1)
     * and {@code multiKrumSelect} (default 0: n - f).
     */
    public RobustAggregation getRobust() {
        Object named = values.get("robust");
        RobustRule rule =
                named == null
                        ? RobustRule.MEAN
                        : parse("robust", named.toString(), RobustRule::fromConfigName);
        boolean trimmed = rule == RobustRule.TRIMMED_MEAN;
        boolean krum = rule == RobustRule.KRUM || rule == RobustRule.MULTI_KRUM;
        boolean multi = rule == RobustRule.MULTI_KRUM;
        Map<String, Boolean> applies =
                Map.of("trimFraction", trimmed, "assumedByzantine", krum, "multiKrumSelect", multi);
        applies.forEach(
                (option, used) -> {
                    if (!used && values.containsKey(option)) {
                        throw new IllegalArgumentException(
                                where(option) + " does not apply to robust: " + rule.configName());
                    }
                });
        return new RobustAggregation(
                rule,
                trimmed ? getDouble("trimFraction", 0.1, 0, 0.4999) : 0,
                krum ? getInt("assumedByzantine", 1, 0, 1_000_000) : 0,
                multi ? getInt("multiKrumSelect", 0, 0, 1_000_000) : 0);
    }

    /**
     * The options that sum uploads by secure aggregation, for algorithms whose coordinator needs
     * only the sum.
     */
    public static final List<String> SECURE_OPTIONS =
            List.of("secure", "secureThreshold", "secureNeighbours", "secureClip", "secureSigned");

    /**
     * Returns how uploads are summed securely ({@code secure: true}, with {@code secureThreshold},
     * default 0: two thirds; {@code secureNeighbours}, default 0: everyone; {@code secureClip},
     * default 65536; {@code secureSigned}, default false: participants sign with their
     * certificates, which protects them from a coordinator that does not follow the protocol), or
     * empty when {@code secure} is absent or false.
     */
    public Optional<SecureSumSettings> getSecure() {
        return getSecure(65536);
    }

    /**
     * Returns how uploads are summed securely, as {@link #getSecure()} does, with another default
     * clipping range (FD sums per-label logit sums, which grow with the examples).
     */
    public Optional<SecureSumSettings> getSecure(double defaultClip) {
        boolean secure = getBoolean("secure", false);
        if (!secure) {
            for (String option : SECURE_OPTIONS.subList(1, SECURE_OPTIONS.size())) {
                if (values.containsKey(option)) {
                    throw new IllegalArgumentException(
                            where(option) + " applies only with secure: true");
                }
            }
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new SecureSumSettings(
                            getInt("secureThreshold", 0, 0, 1_000_000),
                            getInt("secureNeighbours", 0, 0, 1_000_000),
                            (float) getDouble("secureClip", defaultClip, 1e-6, 1e12),
                            getBoolean("secureSigned", false)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where("secure") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses {@code secure: true} for an algorithm whose coordinator needs each upload, saying why
     * (the algorithm lists {@code secure} among its options so that this message, not the
     * unknown-option one, is what the user sees).
     */
    public void refuseSecure(String why) {
        if (values.containsKey("secure")) {
            throw new IllegalArgumentException(
                    where("secure") + ": secure aggregation would hide what " + why);
        }
    }

    /** Returns a participant weighting option (default uniform). */
    public ParticipantWeighting getWeighting(String name) {
        return getWeighting(name, ParticipantWeighting.UNIFORM);
    }

    /** Returns a participant-weighting option, or {@code defaultValue} when absent. */
    public ParticipantWeighting getWeighting(String name, ParticipantWeighting defaultValue) {
        Object value = values.get(name);
        try {
            return value == null ? defaultValue : ParticipantWeighting.parse(value.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(name) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns a required option read by a parser (a model spec as written in a config, e.g. {@code
     * cnn}); the parser's refusal is reported under the option's name.
     *
     * @param name the option
     * @param meaning what the option is for, named in the error when it is absent
     * @param parser reads the option's text, throwing IllegalArgumentException when it cannot
     */
    public <T> T getParsed(String name, String meaning, Function<String, T> parser) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(where(name) + " (" + meaning + ") is required");
        }
        return parse(name, value.toString(), parser);
    }

    /** Returns a list option whose items a parser reads, or an empty list when absent. */
    public <T> List<T> getParsedList(String name, Function<String, T> parser) {
        return getStringList(name).stream().map(item -> parse(name, item, parser)).toList();
    }

    private <T> T parse(String name, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(name) + ": " + e.getMessage(), e);
        }
    }

    /** Returns a list-of-strings option, or an empty list when absent. */
    public List<String> getStringList(String name) {
        Object value = values.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(
                    where(name) + " must be a list, got '" + value + "'");
        }
        return list.stream().map(String::valueOf).toList();
    }

    /**
     * Returns a scheduled option: a number (constant), {@code {linear: [from, to]}} or {@code
     * {step: [from, to], at: round}}; every value must lie in [min, max].
     */
    public Schedule getSchedule(String name, double fallback, double min, double max) {
        Object value = values.get(name);
        if (value == null || value instanceof Number || value instanceof String) {
            return Schedule.constant(getDouble(name, fallback, min, max));
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(
                    where(name)
                            + " must be a number, {linear: [from, to]} or {step: [from, to], at:"
                            + " round}; got '"
                            + value
                            + "'");
        }
        String where = where(name);
        if (map.containsKey("linear")) {
            double[] ends = pair(where, map.get("linear"), min, max);
            return Schedule.linear(ends[0], ends[1]);
        }
        if (map.containsKey("step")) {
            double[] ends = pair(where, map.get("step"), min, max);
            Object at = map.get("at");
            if (!(at instanceof Number n)
                    || n.doubleValue() < 1
                    || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw new IllegalArgumentException(
                        where + ": step needs at: <a whole round >= 1>, got " + at);
            }
            return Schedule.step(ends[0], ends[1], n.intValue());
        }
        throw new IllegalArgumentException(
                where + " must have the key linear or step, got " + map.keySet());
    }

    /** The start of every message about an option: which algorithm, which option. */
    private String where(String name) {
        return "algorithm '" + algorithm + "': option '" + name + "'";
    }

    private static double[] pair(String where, Object value, double min, double max) {
        if (!(value instanceof List<?> list)
                || list.size() != 2
                || !(list.get(0) instanceof Number)
                || !(list.get(1) instanceof Number)) {
            throw new IllegalArgumentException(where + ": expected [from, to], got " + value);
        }
        double[] ends = {
            ((Number) list.get(0)).doubleValue(), ((Number) list.get(1)).doubleValue()
        };
        for (double v : ends) {
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(
                        where + ": values must be in [" + min + ", " + max + "], got " + v);
            }
        }
        return ends;
    }
}
