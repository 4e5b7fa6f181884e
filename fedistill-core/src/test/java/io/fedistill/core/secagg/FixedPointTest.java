package io.fedistill.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FixedPointTest {
    @Test
    void choosesTheLargestPowerOfTwoScaleWhoseSumsCannotWrap() {
        // 2^31 / 10 = 2.1e8 admits 2^27; 10 * 2^28 would overflow
        assertThat(FixedPoint.forParticipants(1f, 10).scale()).isEqualTo(0x1p27);
        // 2^31 / (3 * 0.5) = 1.4e9 admits 2^30
        assertThat(FixedPoint.forParticipants(0.5f, 3).scale()).isEqualTo(0x1p30);
    }

    @Test
    void theLargestSumsDecodeExactlyWithoutWrapping() {
        FixedPoint fixedPoint = FixedPoint.forParticipants(1f, 10);
        int[] sum = new int[2];
        for (int participant = 0; participant < 10; participant++) {
            int[] encoded = fixedPoint.encode(new float[] {1f, -7f});
            sum[0] += encoded[0];
            sum[1] += encoded[1];
        }

        assertThat(sum).containsExactly(10 << 27, -10 << 27);
        assertThat(fixedPoint.decode(sum)).containsExactly(10f, -10f);
    }

    @Test
    void encodesByClippingScalingAndRoundingHalfUp() {
        FixedPoint fixedPoint = new FixedPoint(2f, 4, 1);

        assertThat(fixedPoint.encode(new float[] {0.3f, -0.3f, 5f, -5f, 0.125f, -0.125f}))
                .containsExactly(1, -1, 8, -8, 1, 0);
        assertThat(fixedPoint.decode(new int[] {1, -1, 8, -8}))
                .containsExactly(0.25f, -0.25f, 2f, -2f);
    }

    @Test
    void roundTripStaysWithinTheDocumentedBound() {
        FixedPoint fixedPoint = FixedPoint.forParticipants(1f, 10);
        Random random = new Random(5);
        float[] values = new float[10_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (2 * random.nextDouble() - 1);
        }

        float[] decoded = fixedPoint.decode(fixedPoint.encode(values));

        assertThat(fixedPoint.maxDecodingError()).isEqualTo(0x1p-28 + 0x1p-24 * (1 + 0x1p-28));
        for (int i = 0; i < values.length; i++) {
            assertThat((double) Math.abs(decoded[i] - values[i]))
                    .isLessThanOrEqualTo(fixedPoint.maxDecodingError());
        }
    }

    @Test
    void decodedSumOfEncodingsIsWithinNTimesTheBoundOfTheClippedSum() {
        int participants = 7;
        FixedPoint fixedPoint = FixedPoint.forParticipants(0.75f, participants);
        Random random = new Random(6);
        int length = 1000;
        int[] encodedSum = new int[length];
        double[] clippedSum = new double[length];
        for (int participant = 0; participant < participants; participant++) {
            float[] values = new float[length];
            for (int i = 0; i < length; i++) {
                values[i] = (float) (2 * random.nextDouble() - 1);
                clippedSum[i] += Math.max(-0.75f, Math.min(0.75f, values[i]));
            }
            int[] encoded = fixedPoint.encode(values);
            for (int i = 0; i < length; i++) {
                encodedSum[i] += encoded[i];
            }
        }

        float[] decoded = fixedPoint.decode(encodedSum);

        for (int i = 0; i < length; i++) {
            assertThat(Math.abs(decoded[i] - clippedSum[i]))
                    .isLessThanOrEqualTo(participants * fixedPoint.maxDecodingError());
        }
    }

    @Test
    void refusesParametersWhoseSumsCouldOverflow() {
        assertThatThrownBy(() -> new FixedPoint(1f, 0x1p28, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "maxParticipants * clip * scale must stay below 2^31 so that a sum cannot"
                                + " wrap, got 10 * 1.0 * 2.68435456E8 = 2.68435456E9");
    }

    @Test
    void refusesBadParametersByName() {
        assertThatThrownBy(() -> new FixedPoint(1f, 1000, 10))
                .hasMessage("scale must be a positive power of two, got 1000.0");
        assertThatThrownBy(() -> new FixedPoint(0f, 1, 10))
                .hasMessage("clip must be positive and finite, got 0.0");
        assertThatThrownBy(() -> FixedPoint.forParticipants(Float.NaN, 10))
                .hasMessage("clip must be positive and finite, got NaN");
        assertThatThrownBy(() -> FixedPoint.forParticipants(1f, 0))
                .hasMessage("maxParticipants must be >= 1, got 0");
    }

    @Test
    void refusesToEncodeNaN() {
        assertThatThrownBy(() -> new FixedPoint(1f, 2, 1).encode(new float[] {0f, Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot encode NaN at index 1");
    }
}
