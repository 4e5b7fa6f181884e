package io.fedistill.core.privacy;

import java.util.Arrays;
import java.util.List;

/**
 * Measures the privacy lost by repeated uploads clipped to sensitivity 1 and noised by the
 * Poisson-subsampled Gaussian mechanism, in Rényi differential privacy (RDP), and converts it to an
 * (epsilon, delta) guarantee.
 *
 * <p>The RDP of one step at each order follows Mironov, Talwar and Zhang, "Rényi Differential
 * Privacy of the Sampled Gaussian Mechanism" (2019), computed in log space as Opacus and TF-Privacy
 * do: a finite binomial sum for integer orders, a series of two Gaussian tails for fractional ones.
 * Steps compose by adding their RDP order by order. The conversion to (epsilon, delta) is the one
 * of Balle et al., "Hypothesis Testing Interpretations and Rényi Differential Privacy" (2020),
 * minimized over the orders: {@code rdp - (log(delta) + log(order)) / (order - 1) + log((order - 1)
 * / order)}.
 *
 * <p>An accountant holds only its orders and is immutable; a run's history is a list of {@link
 * Steps}, since a federation may change its sampling rate or noise between rounds.
 */
public final class RdpAccountant {
    /** Opacus's default orders: 1.1 to 10.9 in steps of 0.1, then the integers 12 to 63. */
    private static final double[] DEFAULT_ORDERS = defaultOrders();

    /** The largest noise multiplier {@link #noiseMultiplier} tries, as in Opacus. */
    private static final double LARGEST_NOISE_MULTIPLIER = 1e6;

    /** How far below the target the epsilon of the noise multiplier found may fall. */
    private static final double EPSILON_TOLERANCE = 0.01;

    /** How close to the smallest sufficient noise multiplier the one found must be. */
    private static final double NOISE_MULTIPLIER_TOLERANCE = 0.01;

    /** A fractional order's series stops once both of its terms fall below e^-30. */
    private static final double NEGLIGIBLE_LOG_TERM = -30;

    private static final double LOG_HALF = Math.log(0.5);

    private static final double ONE_OVER_SQRT_PI = 5.6418958354775628695e-1;

    // Cody's coefficients, highest power first: erf on [0, 0.46875] in x^2 ...
    private static final double[] ERF_NUMERATOR = {
        1.85777706184603153e-1,
        3.16112374387056560e0,
        1.13864154151050156e2,
        3.77485237685302021e2,
        3.20937758913846947e3
    };
    private static final double[] ERF_DENOMINATOR = {
        1,
        2.36012909523441209e1,
        2.44024637934444173e2,
        1.28261652607737228e3,
        2.84423683343917062e3
    };
    // ... erfc(x) e^(x^2) on (0.46875, 4] in x ...
    private static final double[] ERFC_NUMERATOR = {
        2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e0,
        6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2,
        1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3
    };
    private static final double[] ERFC_DENOMINATOR = {
        1,
        1.57449261107098347e1,
        1.17693950891312499e2,
        5.37181101862009858e2,
        1.62138957456669019e3,
        3.29079923573345963e3,
        4.36261909014324716e3,
        3.43936767414372164e3,
        1.23033935480374942e3
    };
    // ... and the correction to its asymptote 1 / (x sqrt(pi)) beyond 4, in 1/x^2
    private static final double[] ERFC_TAIL_NUMERATOR = {
        1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
        1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4
    };
    private static final double[] ERFC_TAIL_DENOMINATOR = {
        1,
        2.56852019228982242e0,
        1.87295284992346047e0,
        5.27905102951428412e-1,
        6.05183413124413191e-2,
        2.33520497626869185e-3
    };

    private final double[] orders;

    private RdpAccountant(double[] orders) {
        this.orders = orders;
    }

    /** Returns an accountant over Opacus's default orders (151 orders from 1.1 to 63). */
    public static RdpAccountant withDefaultOrders() {
        return new RdpAccountant(DEFAULT_ORDERS);
    }

    /**
     * Returns an accountant over the given Rényi orders.
     *
     * @param orders the orders, each finite and greater than 1
     * @return an accountant holding its own copy of the orders
     */
    public static RdpAccountant withOrders(double... orders) {
        if (orders.length == 0) {
            throw new IllegalArgumentException("orders must not be empty");
        }
        for (double order : orders) {
            if (!(order > 1 && order < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("orders must be finite and > 1, got " + order);
            }
        }
        return new RdpAccountant(orders.clone());
    }

    /**
     * Returns the RDP at each of this accountant's orders after {@code steps} steps at one sampling
     * rate and noise multiplier.
     *
     * @param samplingRate the probability that a record takes part in a step, in [0, 1]
     * @param noiseMultiplier the noise's standard deviation over the sensitivity, at least 0
     * @param steps how many steps, at least 0
     * @return one RDP value per order, in the orders' sequence; infinite without noise
     */
    public double[] rdp(double samplingRate, double noiseMultiplier, long steps) {
        return rdp(List.of(new Steps(samplingRate, noiseMultiplier, steps)));
    }

    /**
     * Returns the RDP at each of this accountant's orders after a history of steps.
     *
     * @param history the steps run, in any sequence
     * @return one RDP value per order, in the orders' sequence
     */
    public double[] rdp(List<Steps> history) {
        double[] total = new double[orders.length];
        for (Steps steps : history) {
            if (steps.count() == 0 || steps.samplingRate() == 0) {
                continue;
            }
            for (int k = 0; k < orders.length; k++) {
                total[k] +=
                        steps.count()
                                * rdpOfOneStep(
                                        steps.samplingRate(), steps.noiseMultiplier(), orders[k]);
            }
        }
        return total;
    }

    /**
     * Returns the (epsilon, delta) guarantee after {@code steps} steps at one sampling rate and
     * noise multiplier.
     *
     * @param samplingRate the probability that a record takes part in a step, in [0, 1]
     * @param noiseMultiplier the noise's standard deviation over the sensitivity, at least 0
     * @param steps how many steps, at least 0
     * @param delta the probability with which the guarantee may fail, in (0, 1)
     * @return the smallest epsilon over the orders, and the order that gave it
     */
    public PrivacySpent epsilon(
            double samplingRate, double noiseMultiplier, long steps, double delta) {
        return epsilon(List.of(new Steps(samplingRate, noiseMultiplier, steps)), delta);
    }

    /**
     * Returns the (epsilon, delta) guarantee after a history of steps.
     *
     * <p>A history in which no step samples anything spends epsilon 0; one with a noiseless step
     * spends an infinite epsilon. Neither has a best order.
     *
     * @param history the steps run, in any sequence
     * @param delta the probability with which the guarantee may fail, in (0, 1)
     * @return the smallest epsilon over the orders, and the order that gave it
     */
    public PrivacySpent epsilon(List<Steps> history, double delta) {
        requireDelta(delta);
        double[] rdp = rdp(history);
        if (Arrays.stream(rdp).allMatch(value -> value == 0)) {
            return new PrivacySpent(0, delta, Double.NaN);
        }
        double bestEpsilon = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double order = orders[k];
            double epsilon =
                    rdp[k]
                            - (Math.log(delta) + Math.log(order)) / (order - 1)
                            + Math.log1p(-1 / order);
            if (epsilon < bestEpsilon) {
                bestEpsilon = epsilon;
                bestOrder = order;
            }
        }
        // with a delta near 1 the bound can fall below 0, which no mechanism spends
        return new PrivacySpent(Math.max(0, bestEpsilon), delta, bestOrder);
    }

    /**
     * Returns the smallest noise multiplier whose epsilon after {@code steps} steps is at most
     * {@code targetEpsilon}, found by bisection as Opacus's {@code get_noise_multiplier} does.
     *
     * <p>The bisection stops once the epsilon found is within 0.01 of the target and the noise
     * multiplier within 0.01 of the smallest sufficient one, so 0.01 less noise exceeds the target.
     * Without sampled steps no noise is needed and the answer is 0.
     *
     * @param targetEpsilon the epsilon to stay within, greater than 0
     * @param delta the probability with which the guarantee may fail, in (0, 1)
     * @param samplingRate the probability that a record takes part in a step, in [0, 1]
     * @param steps how many steps, at least 0
     * @return the noise multiplier, at most 0.01 above the smallest sufficient one
     * @throws IllegalArgumentException if an input is out of range, or if not even a noise
     *     multiplier of a million reaches the target (the conversion to (epsilon, delta) has a
     *     floor that depends on delta and the largest order)
     */
    public double noiseMultiplier(
            double targetEpsilon, double delta, double samplingRate, long steps) {
        if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(
                    "targetEpsilon must be finite and > 0, got " + targetEpsilon);
        }
        requireDelta(delta);
        requireSamplingRate(samplingRate);
        requireSteps(steps);
        if (steps == 0 || samplingRate == 0) {
            return 0;
        }
        double low = 0;
        double high = 10;
        double epsilonAtHigh = Double.POSITIVE_INFINITY;
        while (epsilonAtHigh > targetEpsilon) {
            if (2 * high > LARGEST_NOISE_MULTIPLIER) {
                throw new IllegalArgumentException(
                        "targetEpsilon "
                                + targetEpsilon
                                + " cannot be reached with delta "
                                + delta
                                + ", sampling rate "
                                + samplingRate
                                + " and "
                                + steps
                                + " steps: even noise multiplier "
                                + high
                                + " gives epsilon "
                                + epsilonAtHigh
                                + "; raise the target epsilon or delta");
            }
            high *= 2;
            epsilonAtHigh = epsilon(samplingRate, high, steps, delta).epsilon();
        }
        while (targetEpsilon - epsilonAtHigh > EPSILON_TOLERANCE
                || high - low > NOISE_MULTIPLIER_TOLERANCE) {
            double middle = (low + high) / 2;
            if (middle <= low || middle >= high) {
                break; // the interval is down to adjacent doubles
            }
            double epsilon = epsilon(samplingRate, middle, steps, delta).epsilon();
            if (epsilon < targetEpsilon) {
                high = middle;
                epsilonAtHigh = epsilon;
            } else {
                low = middle;
            }
        }
        return high;
    }

    /**
     * Steps of the subsampled Gaussian mechanism run at one sampling rate and noise multiplier.
     *
     * @param samplingRate the probability that a record takes part in a step, in [0, 1]; 0 means no
     *     record is touched
     * @param noiseMultiplier the noise's standard deviation over the sensitivity, finite and at
     *     least 0; 0 means no privacy
     * @param count how many steps, at least 0
     */
    public record Steps(double samplingRate, double noiseMultiplier, long count) {
        /** Refuses a rate, noise multiplier or count out of range, naming it. */
        public Steps {
            requireSamplingRate(samplingRate);
            if (!(noiseMultiplier >= 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(
                        "noiseMultiplier must be finite and >= 0, got " + noiseMultiplier);
            }
            requireSteps(count);
        }
    }

    /**
     * An (epsilon, delta) guarantee and the Rényi order that gave it.
     *
     * @param epsilon the privacy loss bound, at least 0; infinite without noise
     * @param delta the probability with which the bound may fail, in (0, 1)
     * @param bestOrder the order whose conversion gave the smallest epsilon; NaN when no order
     *     decided it (nothing sampled, or no noise)
     */
    public record PrivacySpent(double epsilon, double delta, double bestOrder) {
        /** Refuses a negative or NaN epsilon and a delta outside (0, 1). */
        public PrivacySpent {
            if (!(epsilon >= 0)) {
                throw new IllegalArgumentException("epsilon must be >= 0, got " + epsilon);
            }
            requireDelta(delta);
        }
    }

    private static void requireSamplingRate(double samplingRate) {
        if (!(samplingRate >= 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException(
                    "samplingRate must be in [0, 1], got " + samplingRate);
        }
    }

    private static void requireSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
    }

    private static void requireDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
    }

    /** The RDP of one step at one order. */
    private static double rdpOfOneStep(double samplingRate, double noiseMultiplier, double order) {
        if (noiseMultiplier == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (samplingRate == 1) {
            // no subsampling: the Gaussian mechanism's own RDP
            return order / (2 * noiseMultiplier * noiseMultiplier);
        }
        double logA =
                order == Math.rint(order)
                        ? logAForIntegerOrder(samplingRate, noiseMultiplier, (long) order)
                        : logAForFractionalOrder(samplingRate, noiseMultiplier, order);
        return logA / (order - 1);
    }

    /**
     * log A_alpha for an integer order: the log of the sum over i of C(alpha, i) q^i
     * (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2)).
     */
    private static double logAForIntegerOrder(double q, double sigma, long order) {
        double logQ = Math.log(q);
        double logOneMinusQ = Math.log1p(-q);
        double logBinomial = 0; // log C(order, 0)
        double logA = Double.NEGATIVE_INFINITY;
        for (long i = 0; i <= order; i++) {
            if (i > 0) {
                logBinomial += Math.log((double) (order - i + 1) / i);
            }
            double term =
                    logBinomial
                            + i * logQ
                            + (order - i) * logOneMinusQ
                            + (double) (i * i - i) / (2 * sigma * sigma);
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /**
     * log A_alpha for a fractional order: the integral split at z0, where the two Gaussians'
     * densities cross, each side expanded in a binomial series whose coefficients change sign once
     * i passes the order.
     */
    private static double logAForFractionalOrder(double q, double sigma, double order) {
        double logQ = Math.log(q);
        double logOneMinusQ = Math.log1p(-q);
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double erfcScale = Math.sqrt(2) * sigma;
        double logBelow = Double.NEGATIVE_INFINITY;
        double logAbove = Double.NEGATIVE_INFINITY;
        double logAbsBinomial = 0; // log |C(order, 0)|
        boolean binomialPositive = true;
        for (long i = 0; ; i++) {
            if (i > 0) {
                double ratio = (order - i + 1) / i;
                logAbsBinomial += Math.log(Math.abs(ratio));
                binomialPositive ^= ratio < 0;
            }
            double j = order - i;
            double logTermBelow =
                    logAbsBinomial
                            + i * logQ
                            + j * logOneMinusQ
                            + (i * (double) i - i) / (2 * sigma * sigma)
                            + LOG_HALF
                            + logErfc((i - z0) / erfcScale);
            double logTermAbove =
                    logAbsBinomial
                            + j * logQ
                            + i * logOneMinusQ
                            + (j * j - j) / (2 * sigma * sigma)
                            + LOG_HALF
                            + logErfc((z0 - j) / erfcScale);
            if (binomialPositive) {
                logBelow = logAdd(logBelow, logTermBelow);
                logAbove = logAdd(logAbove, logTermAbove);
            } else {
                logBelow = logSubtract(logBelow, logTermBelow);
                logAbove = logSubtract(logAbove, logTermAbove);
            }
            if (Math.max(logTermBelow, logTermAbove) < NEGLIGIBLE_LOG_TERM) {
                return logAdd(logBelow, logAbove);
            }
        }
    }

    /** log(e^x + e^y) without leaving log space. */
    private static double logAdd(double logX, double logY) {
        double smaller = Math.min(logX, logY);
        double larger = Math.max(logX, logY);
        if (smaller == Double.NEGATIVE_INFINITY) {
            return larger;
        }
        return larger + Math.log1p(Math.exp(smaller - larger));
    }

    /** log(e^x - e^y) for x >= y without leaving log space. */
    private static double logSubtract(double logX, double logY) {
        if (logX < logY) {
            throw new ArithmeticException(
                    "a fractional order's series went negative: log " + logX + " - log " + logY);
        }
        if (logY == Double.NEGATIVE_INFINITY) {
            return logX;
        }
        if (logX == logY) {
            return Double.NEGATIVE_INFINITY;
        }
        double gap = logX - logY;
        // beyond a gap of 40, e^-gap is below double precision of the result
        return gap > 40 ? logX : logY + Math.log(Math.expm1(gap));
    }

    /**
     * log(erfc(x)), accurate far into the upper tail where erfc(x) itself underflows: W. J. Cody's
     * rational approximations (Math. Comp. 23, 1969) for erfc(x) e^(x^2), with e^(-x^2) kept in log
     * space.
     */
    private static double logErfc(double x) {
        double magnitude = Math.abs(x);
        if (magnitude <= 0.46875) {
            return Math.log1p(-erfNearZero(x));
        }
        double logTail = Math.log(scaledErfc(magnitude)) - magnitude * magnitude;
        // erfc(-x) = 2 - erfc(x)
        return x > 0 ? logTail : Math.log(2 - Math.exp(logTail));
    }

    /** erf(x) for |x| <= 0.46875. */
    private static double erfNearZero(double x) {
        double t = x * x;
        return x * polynomial(ERF_NUMERATOR, t) / polynomial(ERF_DENOMINATOR, t);
    }

    /** erfc(x) e^(x^2) for x > 0.46875. */
    private static double scaledErfc(double x) {
        if (x <= 4) {
            return polynomial(ERFC_NUMERATOR, x) / polynomial(ERFC_DENOMINATOR, x);
        }
        double z = 1 / (x * x);
        double correction =
                z * polynomial(ERFC_TAIL_NUMERATOR, z) / polynomial(ERFC_TAIL_DENOMINATOR, z);
        return (ONE_OVER_SQRT_PI - correction) / x;
    }

    /** Evaluates the polynomial with these coefficients, highest power first, at x. */
    private static double polynomial(double[] coefficients, double x) {
        double value = 0;
        for (double coefficient : coefficients) {
            value = value * x + coefficient;
        }
        return value;
    }

    private static double[] defaultOrders() {
        double[] orders = new double[99 + 52];
        for (int x = 1; x < 100; x++) {
            orders[x - 1] = 1 + x / 10.0;
        }
        for (int order = 12; order < 64; order++) {
            orders[99 + order - 12] = order;
        }
        return orders;
    }
}
