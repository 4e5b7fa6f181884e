package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.core.privacy.RdpAccountant;
import io.fedistill.core.privacy.RdpAccountant.PrivacySpent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fedistill dp}: the differential-privacy budget of subsampled Gaussian noise, as epsilon
 * for a given noise or as the noise for a given epsilon.
 */
@Command(
        name = "dp",
        mixinStandardHelpOptions = true,
        description =
                "Differential-privacy accounting (Rényi DP of the Poisson-subsampled Gaussian"
                        + " mechanism, as Opacus computes it).",
        subcommands = {DpCommand.Epsilon.class, DpCommand.Noise.class})
final class DpCommand implements Runnable {
    /** The accountant's name of each input, and the flag that gives it here. */
    private static final Map<String, String> FLAGS =
            Map.of(
                    "samplingRate", "--sampling-rate",
                    "noiseMultiplier", "--noise-multiplier",
                    "steps", "--steps",
                    "delta", "--delta",
                    "targetEpsilon", "--epsilon");

    @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code fedistill dp epsilon}: the epsilon spent by a number of noised steps. */
    @Command(
            name = "epsilon",
            mixinStandardHelpOptions = true,
            description =
                    "Print the epsilon spent after N steps at sampling rate Q and noise multiplier"
                            + " S, and the Rényi order that gave it; epsilon is rounded up.")
    static final class Epsilon implements Callable<Integer> {
        @Mixin private Mechanism mechanism;

        @Option(
                names = "--noise-multiplier",
                required = true,
                paramLabel = "S",
                description = "noise standard deviation over the clipping norm, >= 0")
        private double noiseMultiplier;

        @Override
        public Integer call() {
            PrivacySpent spent =
                    accounted(
                            () ->
                                    RdpAccountant.withDefaultOrders()
                                            .epsilon(
                                                    mechanism.samplingRate,
                                                    noiseMultiplier,
                                                    mechanism.steps,
                                                    mechanism.delta));
            System.out.println("epsilon=" + epsilon(spent) + " order=" + order(spent));
            return 0;
        }
    }

    /** {@code fedistill dp noise}: the least noise that keeps a number of steps within epsilon. */
    @Command(
            name = "noise",
            mixinStandardHelpOptions = true,
            description =
                    "Print the smallest noise multiplier (to 0.01, rounded up) that keeps N steps"
                            + " at sampling rate Q within epsilon E, and the epsilon it gives.")
    static final class Noise implements Callable<Integer> {
        @Mixin private Mechanism mechanism;

        @Option(
                names = "--epsilon",
                required = true,
                paramLabel = "E",
                description = "the epsilon to stay within, > 0")
        private double targetEpsilon;

        @Override
        public Integer call() {
            RdpAccountant accountant = RdpAccountant.withDefaultOrders();
            double found =
                    accounted(
                            () ->
                                    accountant.noiseMultiplier(
                                            targetEpsilon,
                                            mechanism.delta,
                                            mechanism.samplingRate,
                                            mechanism.steps));
            // users configure the printed value: less noise than found would overshoot the target
            BigDecimal printed = roundedUp(found);
            PrivacySpent spent =
                    accountant.epsilon(
                            mechanism.samplingRate,
                            printed.doubleValue(),
                            mechanism.steps,
                            mechanism.delta);
            System.out.println(
                    "noise_multiplier="
                            + printed
                            + " epsilon="
                            + epsilon(spent)
                            + " order="
                            + order(spent));
            return 0;
        }
    }

    /** The options both subcommands take: how often a record is sampled, for how long. */
    static final class Mechanism {
        @Option(
                names = "--sampling-rate",
                required = true,
                paramLabel = "Q",
                description = "probability that a record takes part in a step, in [0, 1]")
        double samplingRate;

        @Option(names = "--steps", required = true, paramLabel = "N", description = "steps run")
        long steps;

        @Option(
                names = "--delta",
                required = true,
                paramLabel = "D",
                description = "probability the guarantee may fail, in (0, 1)")
        double delta;
    }

    /**
     * Runs an accountant call, reporting an input it refuses as bad input (exit status 2) under the
     * flag that gave it.
     */
    private static <T> T accounted(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            String message = Objects.requireNonNullElse(e.getMessage(), e.toString());
            for (Map.Entry<String, String> flag : FLAGS.entrySet()) {
                if (message.startsWith(flag.getKey() + " ")) {
                    message = flag.getValue() + message.substring(flag.getKey().length());
                }
            }
            throw new ConfigException(message);
        }
    }

    /**
     * Four decimals rounded up, so a printed epsilon never understates the privacy spent and a
     * printed noise multiplier never falls short of the one found.
     */
    private static BigDecimal roundedUp(double value) {
        return BigDecimal.valueOf(value).setScale(4, RoundingMode.CEILING);
    }

    private static String epsilon(PrivacySpent spent) {
        return Double.isInfinite(spent.epsilon())
                ? "inf"
                : roundedUp(spent.epsilon()).toPlainString();
    }

    private static String order(PrivacySpent spent) {
        return Double.isNaN(spent.bestOrder())
                ? "none"
                : BigDecimal.valueOf(spent.bestOrder()).stripTrailingZeros().toPlainString();
    }
}
