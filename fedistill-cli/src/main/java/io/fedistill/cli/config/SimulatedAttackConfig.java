package io.fedistill.cli.config;

import io.fedistill.core.attack.AttackConfig;
import io.fedistill.core.attack.AttackKind;
import io.fedistill.core.seed.Seeds;

/**
 * Participants of a simulation that turn bad, to see what robust aggregation holds off: {@code
 * attack: {kind: sign-flipped-weights, fraction: 0.2}}.
 *
 * @param kind {@code label-flipping}, {@code random-logits}, {@code inverted-logits}, {@code
 *     scaled-weights}, {@code sign-flipped-weights}, {@code random-features} or {@code
 *     scaled-features}
 * @param fraction the share of participants that attack (default 0.2)
 * @param scale the factor of {@code scaled-weights} and {@code scaled-features} (default -10)
 * @param countScale the factor the attackers multiply the label counts they report by, under any
 *     kind (default 1: honest counts), so they take more of class-count weighting's votes
 * @param countsFollowUpload whether the attackers report label counts that agree with their
 *     tampered scores (default false), to pass {@code priorCheck}
 */
public record SimulatedAttackConfig(
        String kind, Double fraction, Double scale, Double countScale, Boolean countsFollowUpload) {
    /** Applies defaults and checks values. */
    public SimulatedAttackConfig {
        if (kind == null) {
            throw new ConfigException("attack.kind is required, one of " + AttackKind.knownNames());
        }
        fraction = fraction == null ? 0.2 : fraction;
        scale = scale == null ? -10.0 : scale;
        countScale = countScale == null ? 1.0 : countScale;
        countsFollowUpload = countsFollowUpload != null && countsFollowUpload;
        // the fields are not set yet: check through the parameters
        attack(kind, fraction, scale, countScale, countsFollowUpload, 0);
    }

    /** Returns the attack of a run with this seed (which decides who attacks). */
    public AttackConfig attack(long runSeed) {
        return attack(kind, fraction, scale, countScale, countsFollowUpload, runSeed);
    }

    private static AttackConfig attack(
            String kind,
            double fraction,
            double scale,
            double countScale,
            boolean countsFollowUpload,
            long runSeed) {
        try {
            return new AttackConfig(
                    AttackKind.fromConfigName(kind),
                    fraction,
                    scale,
                    countScale,
                    countsFollowUpload,
                    Seeds.derive(runSeed, 0, "", "attackers"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("attack: " + e.getMessage(), e);
        }
    }
}
