package io.fedistill.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShamirSharingTest {
    /** Leading zero bytes, so reconstruction must restore the secret's full width. */
    private static final byte[] SECRET =
            HexFormat.of()
                    .parseHex("0000c0ffee000000000000000000000000000000000000000000000000000042");

    private static final int[] XS = {1, 2, 3, 4, 5};

    private static List<ShamirShare> split(int threshold) {
        return ShamirSharing.split(SECRET, threshold, XS, SecAggFederation.seeded(11));
    }

    @Test
    void everySubsetOfThresholdSharesReconstructsTheSecret() {
        List<ShamirShare> shares = split(3);
        int subsets = 0;
        for (int mask = 0; mask < 1 << XS.length; mask++) {
            if (Integer.bitCount(mask) != 3) {
                continue;
            }
            List<ShamirShare> subset = new ArrayList<>();
            for (int i = 0; i < XS.length; i++) {
                if ((mask & 1 << i) != 0) {
                    subset.add(shares.get(i));
                }
            }
            assertThat(ShamirSharing.combine(subset, SECRET.length)).isEqualTo(SECRET);
            subsets++;
        }
        assertThat(subsets).isEqualTo(10);
    }

    @Test
    void allSharesReconstructTheSecretToo() {
        assertThat(ShamirSharing.combine(split(3), SECRET.length)).isEqualTo(SECRET);
    }

    @Test
    void oneShareFewerThanTheThresholdInterpolatesToAnotherValue() {
        List<ShamirShare> twoShares = split(3).subList(1, 3);

        assertThat(ShamirSharing.interpolateAtZero(twoShares))
                .isNotEqualTo(new BigInteger(1, SECRET));
        assertThatThrownBy(() -> ShamirSharing.combine(twoShares, SECRET.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "2 shares interpolate to a value wider than 32 bytes: too few shares, or"
                                + " shares of different secrets");
    }

    @Test
    void sharesComeOutAtTheGivenCoordinatesAndInsideTheField() {
        List<ShamirShare> shares = split(2);

        assertThat(shares).extracting(ShamirShare::x).containsExactly(1, 2, 3, 4, 5);
        assertThat(shares)
                .allSatisfy(share -> assertThat(share.y()).isLessThan(ShamirSharing.PRIME));
        assertThat(ShamirSharing.SHARE_BYTES).isEqualTo(66);
    }

    @Test
    void shareValuesRoundTripThroughTheirFixedWidthBytes() {
        ShamirShare share = split(3).get(0);

        byte[] bytes = share.yBytes();

        assertThat(bytes).hasSize(66);
        assertThat(ShamirShare.fromBytes(share.x(), bytes)).isEqualTo(share);
    }

    @Test
    void refusesRepeatedCoordinatesAndImpossibleThresholds() {
        assertThatThrownBy(
                        () ->
                                ShamirSharing.split(
                                        SECRET, 2, new int[] {1, 2, 2}, SecAggFederation.seeded(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("two shares have x-coordinate 2");
        assertThatThrownBy(() -> split(6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be between 1 and the 5 shares, got 6");
        assertThatThrownBy(
                        () -> ShamirSharing.split(new byte[65], 2, XS, SecAggFederation.seeded(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secret must be at most 64 bytes, got 65");
    }

    @Test
    void shareKeepsItsValueOutOfToString() {
        assertThat(split(3).get(0).toString()).isEqualTo("ShamirShare[x=1, y=<hidden>]");
    }
}
