package io.fedistill.algorithms;

import java.util.Locale;

/**
 * A hyperparameter that may change with the round: constant, linear from a start to an end value
 * over the run, or a step from one value to another at a given round. FD and DS-FL use it to lower
 * the weight of distillation as training progresses.
 */
public interface Schedule {

    /** Returns the value in {@code round} (1-based) of a run of {@code totalRounds}. */
    double valueAt(int round, int totalRounds);

    /** Returns a constant. */
    static Schedule constant(double value) {
        return new Schedule() {
            @Override
            public double valueAt(int round, int totalRounds) {
                return value;
            }

            @Override
            public String toString() {
                return String.format(Locale.ROOT, "%s", value);
            }
        };
    }

    /**
     * Returns a value moving linearly from {@code from} in round 1 to {@code to} in the last round.
     */
    static Schedule linear(double from, double to) {
        return new Schedule() {
            @Override
            public double valueAt(int round, int totalRounds) {
                double progress = totalRounds <= 1 ? 1 : (round - 1) / (double) (totalRounds - 1);
                return from + (to - from) * progress;
            }

            @Override
            public String toString() {
                return String.format(Locale.ROOT, "linear(%s -> %s)", from, to);
            }
        };
    }

    /** Returns {@code from} before round {@code at} and {@code to} from round {@code at} on. */
    static Schedule step(double from, double to, int at) {
        return new Schedule() {
            @Override
            public double valueAt(int round, int totalRounds) {
                return round < at ? from : to;
            }

            @Override
            public String toString() {
                return String.format(Locale.ROOT, "step(%s -> %s at round %d)", from, to, at);
            }
        };
    }
}
