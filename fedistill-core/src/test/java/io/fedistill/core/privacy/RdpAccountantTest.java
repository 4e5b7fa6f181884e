package io.fedistill.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.privacy.RdpAccountant.PrivacySpent;
import io.fedistill.core.privacy.RdpAccountant.Steps;
import java.util.List;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RdpAccountantTest {
    private final RdpAccountant accountant = RdpAccountant.withDefaultOrders();

    /** The orders TF-Privacy's compute_dp_sgd_privacy uses. */
    private static final double[] TF_PRIVACY_ORDERS =
            DoubleStream.concat(
                            DoubleStream.of(1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5),
                            DoubleStream.concat(
                                    IntStream.range(5, 64).asDoubleStream(),
                                    DoubleStream.of(128, 256, 512)))
                    .toArray();

    @Test
    void matchesOpacusOnNinetyEpochsOfDpSgd() {
        // opacus/tests/accountants_test.py, test_rdp_accountant: 90 epochs at q = 0.04
        PrivacySpent spent = accountant.epsilon(0.04, 1.5, 2250, 1e-5);
        assertThat(spent.epsilon()).isCloseTo(7.32911117143, within(1e-9));
        assertThat(spent.bestOrder()).isEqualTo(3.9);
        assertThat(spent.delta()).isEqualTo(1e-5);
    }

    @Test
    void matchesTfPrivacyComputeDpSgdPrivacy() {
        // tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py: n, batch, sigma,
        // epochs, delta; q = batch / n, steps = ceil(epochs * n / batch)
        RdpAccountant tfPrivacy = RdpAccountant.withOrders(TF_PRIVACY_ORDERS);
        PrivacySpent mnist = tfPrivacy.epsilon(150 / 60000.0, 1.3, 6000, 1e-5);
        assertThat(mnist.epsilon()).isCloseTo(0.7242234026109595, within(1e-9));
        assertThat(mnist.bestOrder()).isEqualTo(19);
        PrivacySpent larger = tfPrivacy.epsilon(100 / 100000.0, 1.0, 30000, 1e-7);
        assertThat(larger.epsilon()).isCloseTo(1.4154988495444842, within(1e-9));
        assertThat(larger.bestOrder()).isEqualTo(13);
        PrivacySpent littleNoise = tfPrivacy.epsilon(1024 / 1e8, 0.1, 976563, 1e-7);
        assertThat(littleNoise.epsilon()).isCloseTo(5907982.3113984, within(1e-3));
        assertThat(littleNoise.bestOrder()).isEqualTo(1.25);
    }

    @Test
    void composesAHistoryAsOpacusDocuments() {
        // the example in the docstring of opacus/accountants/analysis/rdp.py: orders 2 to 32
        RdpAccountant integerOrders =
                RdpAccountant.withOrders(IntStream.rangeClosed(2, 32).asDoubleStream().toArray());
        PrivacySpent spent =
                integerOrders.epsilon(
                        List.of(new Steps(1e-5, 1.0, 10), new Steps(1e-4, 3.0, 4)), 1e-5);
        assertThat(spent.epsilon()).isCloseTo(0.336, within(0.0005));
        assertThat(spent.bestOrder()).isEqualTo(23);
    }

    @Test
    void aHistoryAddsItsStepsOrderByOrder() {
        List<Steps> history = List.of(new Steps(0.04, 1.5, 1000), new Steps(0.01, 0.9, 500));
        double[] first = accountant.rdp(0.04, 1.5, 1000);
        double[] second = accountant.rdp(0.01, 0.9, 500);
        double[] composed = accountant.rdp(history);
        assertThat(composed).containsExactly(sum(first, second));
        assertThat(accountant.rdp(List.of(history.get(1), history.get(0))))
                .containsExactly(composed);
        double[] split =
                accountant.rdp(List.of(new Steps(0.04, 1.5, 1000), new Steps(0.04, 1.5, 1250)));
        double[] whole = accountant.rdp(0.04, 1.5, 2250);
        for (int k = 0; k < whole.length; k++) {
            assertThat(split[k]).isCloseTo(whole[k], within(1e-12 * whole[k]));
        }
    }

    private static double[] sum(double[] left, double[] right) {
        return IntStream.range(0, left.length).mapToDouble(k -> left[k] + right[k]).toArray();
    }

    @Test
    void withoutSubsamplingItIsTheGaussianMechanism() {
        // q = 1: RDP is steps * order / (2 sigma^2) = 3 * order / 8
        RdpAccountant orders = RdpAccountant.withOrders(2, 4, 8);
        assertThat(orders.rdp(1, 2, 3)).containsExactly(0.75, 1.5, 3.0);
        // rdp - (ln 1e-5 + ln order) / (order - 1) + ln((order - 1) / order) at orders 2, 4 and 8
        // is 10.8766, 4.5879 and 4.2141
        PrivacySpent spent = orders.epsilon(1, 2, 3, 1e-5);
        assertThat(spent.epsilon()).isCloseTo(4.214109167845534, within(1e-12));
        assertThat(spent.bestOrder()).isEqualTo(8);
    }

    @Test
    void moreStepsOrRateSpendMoreAndMoreNoiseSpendsLess() {
        double base = accountant.epsilon(0.04, 1.5, 1000, 1e-5).epsilon();
        assertThat(accountant.epsilon(0.04, 1.5, 2000, 1e-5).epsilon()).isGreaterThan(base);
        assertThat(accountant.epsilon(0.08, 1.5, 1000, 1e-5).epsilon()).isGreaterThan(base);
        assertThat(accountant.epsilon(0.04, 2.0, 1000, 1e-5).epsilon()).isLessThan(base);
        assertThat(accountant.epsilon(0.04, 1.5, 1000, 1e-6).epsilon()).isGreaterThan(base);
        assertThat(accountant.epsilon(0.04, 1.5, 1, 1e-5).epsilon()).isLessThan(base);
    }

    @Test
    void nothingSampledSpendsNothingAndNoNoiseSpendsEverything() {
        assertThat(accountant.rdp(0, 1.5, 100)).containsOnly(0.0);
        assertThat(accountant.epsilon(0, 1.5, 100, 1e-5).epsilon()).isZero();
        assertThat(accountant.epsilon(0.04, 1.5, 0, 1e-5).epsilon()).isZero();
        assertThat(accountant.epsilon(List.of(), 1e-5).epsilon()).isZero();
        assertThat(accountant.rdp(0.04, 0, 1)).containsOnly(Double.POSITIVE_INFINITY);
        PrivacySpent noiseless = accountant.epsilon(0.04, 0, 1, 1e-5);
        assertThat(noiseless.epsilon()).isInfinite();
        assertThat(noiseless.bestOrder()).isNaN();
        assertThat(accountant.noiseMultiplier(1, 1e-5, 0.04, 0)).isZero();
    }

    @Test
    void matchesOpacusGetNoiseMultiplier() {
        // opacus/tests/accountants_test.py: epsilon 8, delta 1e-5, q = 0.04, to 4 places
        assertThat(accountant.noiseMultiplier(8, 1e-5, 0.04, 2250)).isCloseTo(1.416, within(5e-5));
        assertThat(accountant.noiseMultiplier(8, 1e-5, 0.04, 2000)).isCloseTo(1.3562, within(5e-5));
    }

    @Test
    void theNoiseMultiplierFoundIsTheSmallestThatReachesTheTarget() {
        for (double[] targetRateSteps :
                new double[][] {{8, 0.04, 2250}, {1, 0.01, 10000}, {3, 1, 10}}) {
            double target = targetRateSteps[0];
            double rate = targetRateSteps[1];
            long steps = (long) targetRateSteps[2];
            double sigma = accountant.noiseMultiplier(target, 1e-5, rate, steps);
            double reached = accountant.epsilon(rate, sigma, steps, 1e-5).epsilon();
            assertThat(reached).isLessThanOrEqualTo(target).isGreaterThanOrEqualTo(target - 0.01);
            assertThat(accountant.epsilon(rate, sigma - 0.01, steps, 1e-5).epsilon())
                    .isGreaterThan(target);
        }
    }

    @Test
    void aTargetBelowTheConversionsFloorIsRefused() {
        // with delta 1e-5 and orders up to 63, epsilon cannot fall below about 0.103
        assertThatThrownBy(() -> accountant.noiseMultiplier(0.05, 1e-5, 0.04, 2250))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetEpsilon 0.05 cannot be reached")
                .hasMessageContaining("gives epsilon 0.10");
    }

    @Test
    void badInputsAreRefusedByName() {
        assertThatThrownBy(() -> accountant.epsilon(1.5, 1, 10, 1e-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("samplingRate must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> accountant.rdp(Double.NaN, 1, 10))
                .hasMessage("samplingRate must be in [0, 1], got NaN");
        assertThatThrownBy(() -> accountant.rdp(0.1, -0.5, 10))
                .hasMessage("noiseMultiplier must be finite and >= 0, got -0.5");
        assertThatThrownBy(() -> accountant.rdp(0.1, 1, -3))
                .hasMessage("steps must be >= 0, got -3");
        assertThatThrownBy(() -> accountant.epsilon(0.1, 1, 10, 0))
                .hasMessage("delta must be in (0, 1), got 0.0");
        assertThatThrownBy(() -> accountant.epsilon(0.1, 1, 10, 1))
                .hasMessage("delta must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> accountant.noiseMultiplier(0, 1e-5, 0.1, 10))
                .hasMessage("targetEpsilon must be finite and > 0, got 0.0");
        assertThatThrownBy(() -> accountant.noiseMultiplier(1, 1e-5, -0.1, 10))
                .hasMessage("samplingRate must be in [0, 1], got -0.1");
        assertThatThrownBy(() -> RdpAccountant.withOrders(2, 1))
                .hasMessage("orders must be finite and > 1, got 1.0");
        assertThatThrownBy(RdpAccountant::withOrders).hasMessage("orders must not be empty");
    }
}
