package io.fedistill.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.fleet.Direction;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRole;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The wire codecs: error bounds of every encoding, roles that stay exact, top-k, DEFLATE. */
class CodecTest {
    private final FeedbackMemory memory = FeedbackMemory.inMemory();

    private static final Random RANDOM = new Random(7);

    private static Tensor random(int rows, int columns, float scale) {
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (RANDOM.nextGaussian() * scale);
        }
        return Tensor.wrap(new int[] {rows, columns}, values);
    }

    private static Tensor roundTrip(Codec codec, Tensor tensor, TensorRole role) {
        EncodedValues encoded =
                codec.encodeValues(tensor, role, Direction.UP, "p0/t", null, FeedbackMemory.none());
        return Codec.decodeValues(
                encoded.encoding(),
                encoded.deflated(),
                tensor.shape(),
                encoded.bytes(),
                0,
                encoded.bytes().length);
    }

    @Test
    void halfPrecisionKeepsElevenBitsAndTakesTwoBytesAValue() {
        Codec codec = Codec.forName("up.logits=fp16");
        Tensor logits = random(50, 10, 8f);
        EncodedValues encoded =
                codec.encodeValues(logits, TensorRole.LOGITS, Direction.UP, "a", null, memory);
        assertThat(encoded.encoding()).isEqualTo(ValueEncoding.FP16);
        assertThat(encoded.bytes()).hasSize(2 * 500);
        Tensor back = roundTrip(codec, logits, TensorRole.LOGITS);
        for (int i = 0; i < logits.size(); i++) {
            float v = logits.get(i);
            if (Math.abs(v) >= 6.2e-5f) {
                assertThat(Math.abs(back.get(i) - v)).isLessThanOrEqualTo(Math.abs(v) * 0x1p-11f);
            }
        }
    }

    @Test
    void halfPrecisionHandlesTheEdgesOfItsRange() {
        float[] edges = {0f, -0f, 65504f, 65520f, -70000f, 6.0e-8f, 1e-9f, 2.5e-6f, 1f / 3};
        for (float v : edges) {
            float back = HalfFloats.fromHalf(HalfFloats.toHalf(v));
            if (Math.abs(v) >= 65520f) {
                assertThat(back).isInfinite();
            } else if (Math.abs(v) < 2.98e-8f) {
                assertThat(back).isZero();
            } else {
                // subnormals keep an absolute error of half their step, 2^-25
                assertThat((double) Math.abs(back - v))
                        .isLessThanOrEqualTo(Math.max(Math.abs(v) * 0x1p-11, 0x1p-25));
            }
        }
        assertThat(HalfFloats.fromHalf(HalfFloats.toHalf(Float.NaN))).isNaN();
        assertThat(HalfFloats.fromHalf(HalfFloats.toHalf(Float.NEGATIVE_INFINITY)))
                .isEqualTo(Float.NEGATIVE_INFINITY);
        // every one of the 63,488 finite halves survives the round trip bit for bit
        for (int bits = 0; bits < 0x10000; bits++) {
            if ((bits & 0x7c00) != 0x7c00) {
                assertThat(HalfFloats.toHalf(HalfFloats.fromHalf((short) bits)))
                        .isEqualTo((short) bits);
            }
        }
    }

    @Test
    void brainFloatKeepsEightBitsOverTheWholeRange() {
        Codec codec = Codec.forName("down=bf16");
        Tensor weights = random(20, 30, 1e20f);
        EncodedValues encoded =
                codec.encodeValues(
                        weights, TensorRole.WEIGHTS, Direction.DOWN, "p0/w", null, memory);
        assertThat(encoded.encoding()).isEqualTo(ValueEncoding.BF16);
        Tensor back =
                Codec.decodeValues(
                        ValueEncoding.BF16,
                        false,
                        weights.shape(),
                        encoded.bytes(),
                        0,
                        encoded.bytes().length);
        for (int i = 0; i < weights.size(); i++) {
            assertThat(Math.abs(back.get(i) - weights.get(i)))
                    .isLessThanOrEqualTo(Math.abs(weights.get(i)) * 0x1p-8f);
        }
        // going up, the same codec sends weights losslessly
        assertThat(
                        codec.encodeValues(
                                        weights,
                                        TensorRole.WEIGHTS,
                                        Direction.UP,
                                        "p0/w",
                                        null,
                                        memory)
                                .encoding())
                .isEqualTo(ValueEncoding.FP32);
    }

    @Test
    void int8KeepsEachRowWithinHalfItsScale() {
        Codec codec = Codec.forName("up.probabilities=int8");
        float[] soft = new float[40 * 10];
        for (int r = 0; r < 40; r++) {
            float sum = 0;
            for (int c = 0; c < 10; c++) {
                soft[r * 10 + c] = (float) Math.exp(RANDOM.nextGaussian() * 2);
                sum += soft[r * 10 + c];
            }
            for (int c = 0; c < 10; c++) {
                soft[r * 10 + c] /= sum;
            }
        }
        Tensor probabilities = Tensor.wrap(new int[] {40, 10}, soft);
        EncodedValues encoded =
                codec.encodeValues(
                        probabilities, TensorRole.PROBABILITIES, Direction.UP, "s", null, memory);
        assertThat(encoded.bytes()).hasSize(40 * 4 + 400);
        Tensor back = roundTrip(codec, probabilities, TensorRole.PROBABILITIES);
        for (int r = 0; r < 40; r++) {
            float max = 0;
            for (int c = 0; c < 10; c++) {
                max = Math.max(max, soft[r * 10 + c]);
            }
            for (int c = 0; c < 10; c++) {
                assertThat(Math.abs(back.get(r * 10 + c) - soft[r * 10 + c]))
                        .isLessThanOrEqualTo(max / 127 / 2 * 1.0001f);
            }
        }
        assertThat(TensorRole.PROBABILITIES.violation(back)).isNull();
        // a row holding NaN decodes to NaN instead of hiding it
        Tensor nan = Tensor.vector(1f, Float.NaN, 2f);
        assertThat(roundTrip(codec, nan, TensorRole.PROBABILITIES).isFinite()).isFalse();
    }

    @Test
    void countsAndExactValuesAreNeverApproximated() {
        Codec codec = Codec.forName("up=int8,down=fp16");
        Tensor counts = Tensor.vector(3, 0, 1234567, 8);
        for (Direction direction : Direction.values()) {
            for (TensorRole role : new TensorRole[] {TensorRole.COUNTS, TensorRole.EXACT}) {
                EncodedValues encoded =
                        codec.encodeValues(counts, role, direction, "c", null, memory);
                assertThat(encoded.encoding()).isEqualTo(ValueEncoding.FP32);
            }
        }
        assertThat(roundTrip(codec, counts, TensorRole.COUNTS)).isEqualTo(counts);
        assertThatThrownBy(() -> Codec.forName("up.counts=fp16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("counts must arrive exactly");
        assertThatThrownBy(() -> Codec.forName("down.exact=topk:0.5"))
                .hasMessageContaining("exact must arrive exactly");
    }

    @Test
    void topKSendsTheLargestValuesOfEachStream() {
        Codec codec = Codec.forName("up.logits=topk:0.1");
        int n = 1000;
        Tensor update = random(1, n, 1f);
        EncodedValues encoded =
                codec.encodeValues(update, TensorRole.LOGITS, Direction.UP, "p3/w", null, memory);
        assertThat(encoded.encoding()).isEqualTo(ValueEncoding.SPARSE);
        assertThat(encoded.bytes()).hasSize(4 + 8 * 100);
        Tensor sent = roundTrip(encoded, update.shape());
        float smallestSent = Float.MAX_VALUE;
        float largestLeft = 0;
        for (int i = 0; i < n; i++) {
            if (sent.get(i) != 0) {
                assertThat(sent.get(i)).isEqualTo(update.get(i));
                smallestSent = Math.min(smallestSent, Math.abs(sent.get(i)));
            } else {
                largestLeft = Math.max(largestLeft, Math.abs(update.get(i)));
            }
        }
        assertThat(smallestSent).isGreaterThanOrEqualTo(largestLeft);
        // another participant's stream starts without feedback
        Tensor fresh = Tensor.vector(0, 0, 5, 0, 0, 0, 0, 0, 0, 0);
        assertThat(
                        roundTrip(
                                codec.encodeValues(
                                        fresh,
                                        TensorRole.LOGITS,
                                        Direction.UP,
                                        "p4/w",
                                        null,
                                        memory),
                                fresh.shape()))
                .isEqualTo(fresh);
    }

    private static Tensor roundTrip(EncodedValues encoded, int[] shape) {
        return Codec.decodeValues(
                encoded.encoding(),
                encoded.deflated(),
                shape,
                encoded.bytes(),
                0,
                encoded.bytes().length);
    }

    @Test
    void errorFeedbackLosesNothingOverRounds() {
        Codec codec = Codec.forName("up.logits=topk:0.25");
        int n = 8;
        double[] given = new double[n];
        double[] sent = new double[n];
        for (int round = 0; round < 40; round++) {
            Tensor update = round < 20 ? random(1, n, 1f) : Tensor.zeros(1, n);
            EncodedValues encoded =
                    codec.encodeValues(update, TensorRole.LOGITS, Direction.UP, "x", null, memory);
            Tensor back = roundTrip(encoded, update.shape());
            for (int i = 0; i < n; i++) {
                given[i] += update.get(i);
                sent[i] += back.get(i);
            }
        }
        // twenty rounds of zeros flush everything that was held back
        for (int i = 0; i < n; i++) {
            assertThat(sent[i]).isCloseTo(given[i], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void aParticipantsFeedbackLivesInItsStateAndGoesWithARejectedReply() {
        Codec codec = Codec.forName("up.logits=topk:0.25");
        StateStore store = new StateStore(Codec.fp32());
        FeedbackMemory reference = FeedbackMemory.inMemory();
        Tensor first = Tensor.vector(4, 3, 2, 1);
        Tensor second = Tensor.vector(0, 0, 0, 0);
        // round 1 accepted: the three values it held back are the participant's committed state
        FeedbackMemory round1 = FeedbackMemory.in(store.open("p0", "r1", 1));
        codec.encodeValues(first, TensorRole.LOGITS, Direction.UP, "p0/l", null, round1);
        codec.encodeValues(first, TensorRole.LOGITS, Direction.UP, "p0/l", null, reference);
        store.commit("r1");
        // round 2 rejected: what it sent and held back is dropped with its other writes
        FeedbackMemory round2 = FeedbackMemory.in(store.open("p0", "r2", 2));
        codec.encodeValues(second, TensorRole.LOGITS, Direction.UP, "p0/l", null, round2);
        store.discard("r2");
        // round 3 starts from round 1's residual, as a participant that never sent round 2
        FeedbackMemory round3 = FeedbackMemory.in(store.open("p0", "r3", 3));
        Tensor sent =
                roundTrip(
                        codec.encodeValues(
                                second, TensorRole.LOGITS, Direction.UP, "p0/l", null, round3),
                        second.shape());
        assertThat(sent)
                .isEqualTo(
                        roundTrip(
                                codec.encodeValues(
                                        second,
                                        TensorRole.LOGITS,
                                        Direction.UP,
                                        "p0/l",
                                        null,
                                        reference),
                                second.shape()));
        assertThat(sent).isEqualTo(Tensor.vector(0, 3, 0, 0));
    }

    @Test
    void deflateIsLosslessAndRefusesBombsAndCorruption() {
        Codec codec = Codec.forName("compression=deflate");
        Tensor repetitive = Tensor.zeros(100, 100);
        EncodedValues encoded =
                codec.encodeValues(repetitive, TensorRole.WEIGHTS, Direction.UP, "z", null, memory);
        assertThat(encoded.deflated()).isTrue();
        assertThat(encoded.bytes().length).isLessThan(200);
        assertThat(roundTrip(codec, repetitive, TensorRole.WEIGHTS)).isEqualTo(repetitive);
        Tensor noisy = random(30, 30, 1f);
        assertThat(roundTrip(codec, noisy, TensorRole.WEIGHTS)).isEqualTo(noisy);
        // the same bytes claimed for a smaller tensor inflate past what it can take
        assertThatThrownBy(
                        () ->
                                Codec.decodeValues(
                                        ValueEncoding.FP32,
                                        true,
                                        new int[] {10},
                                        encoded.bytes(),
                                        0,
                                        encoded.bytes().length))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("inflate beyond the 40 bytes");
        byte[] corrupt = encoded.bytes().clone();
        corrupt[0] = (byte) 0xff;
        assertThatThrownBy(
                        () ->
                                Codec.decodeValues(
                                        ValueEncoding.FP32,
                                        true,
                                        new int[] {100, 100},
                                        corrupt,
                                        0,
                                        corrupt.length))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void malformedSparseValuesAreRefused() {
        ByteBuffer unordered = ByteBuffer.allocate(4 + 16);
        unordered.putInt(2).putInt(3).putInt(1).putFloat(1f).putFloat(2f);
        assertThatThrownBy(
                        () ->
                                Codec.decodeValues(
                                        ValueEncoding.SPARSE,
                                        false,
                                        new int[] {5},
                                        unordered.array(),
                                        0,
                                        20))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("out of order");
        ByteBuffer tooMany = ByteBuffer.allocate(4).putInt(9);
        assertThatThrownBy(
                        () ->
                                Codec.decodeValues(
                                        ValueEncoding.SPARSE,
                                        false,
                                        new int[] {5},
                                        tooMany.array(),
                                        0,
                                        4))
                .hasMessageContaining("sparse count 9 does not fit 5 values");
    }

    @Test
    void specsHaveOneCanonicalNameAndBadOnesAreNamed() {
        assertThat(Codec.forName("fp32")).isSameAs(Codec.fp32());
        assertThat(Codec.forName("compression=deflate, up.probabilities = fp16").name())
                .isEqualTo("up.probabilities=fp16,compression=deflate");
        assertThat(Codec.forName("up=fp16").name())
                .isEqualTo("up.weights=fp16,up.logits=fp16,up.probabilities=fp16,up.features=fp16");
        assertThat(Codec.forName(Codec.forName("down.features=topk:0.05").name()).name())
                .isEqualTo("down.features=topk:0.05");
        assertThatThrownBy(() -> Codec.forName("down.weights=topk:0.1"))
                .hasMessageContaining("no task weights to send a change from going down");
        assertThat(Codec.forName("up=topk:0.1").name())
                .isEqualTo("up.weights=topk:0.1,up.logits=topk:0.1,up.features=topk:0.1");
        assertThatThrownBy(() -> Codec.forName("up.probabilities=topk:0.1"))
                .hasMessageContaining("rows that no longer sum to one");
        assertThat(Codec.forName("up=fp16,up.logits=fp32").name())
                .isEqualTo("up.weights=fp16,up.probabilities=fp16,up.features=fp16");
        assertThatThrownBy(() -> Codec.forName("sideways.logits=fp16"))
                .hasMessageContaining("'sideways' is no direction; use up or down");
        assertThatThrownBy(() -> Codec.forName("up.opinions=fp16"))
                .hasMessageContaining("unknown tensor role 'opinions'");
        assertThatThrownBy(() -> Codec.forName("up.logits=topk:2"))
                .hasMessageContaining("top-k keeps a fraction in (0, 1]");
        assertThatThrownBy(() -> Codec.forName("compression=zip"))
                .hasMessageContaining("compression is deflate or none");
        assertThatThrownBy(() -> Codec.forName("up.logits=sparse"))
                .hasMessageContaining("sparse values come from topk:<fraction>");
        // which roles a codec approximates, and in which direction
        Codec downLogits = Codec.forName("down.logits=fp16,up.weights=int8");
        assertThat(downLogits.approximates(Direction.DOWN)).isTrue();
        assertThat(downLogits.approximates(Direction.DOWN, TensorRole.LOGITS)).isTrue();
        assertThat(downLogits.approximates(Direction.DOWN, TensorRole.WEIGHTS)).isFalse();
        assertThat(downLogits.approximates(Direction.UP, TensorRole.WEIGHTS)).isTrue();
        assertThat(Codec.fp32().approximates(Direction.UP)).isFalse();
    }

    @Test
    void topKOfWeightsSendsTheirSparseChangeFromTheTaskAndWholeWeightsWithoutOne() {
        Codec codec = Codec.forName("up.weights=topk:0.25");
        Tensor task = Tensor.vector(1, 1, 1, 1, 1, 1, 1, 1);
        Tensor trained = Tensor.vector(1, 3, 1, 1, 0.9f, 1, -2, 1.1f);
        EncodedValues encoded =
                codec.encodeValues(trained, TensorRole.WEIGHTS, Direction.UP, "p0/w", task, memory);
        assertThat(encoded.delta()).isTrue();
        // the two largest changes of eight: +2 at index 1 and -3 at index 6
        assertThat(roundTrip(encoded, trained.shape()).toFloatArray())
                .containsExactly(0, 2, 0, 0, 0, 0, -3, 0);
        EncodedValues whole =
                codec.encodeValues(trained, TensorRole.WEIGHTS, Direction.UP, "p1/w", null, memory);
        assertThat(whole.delta()).isFalse();
        assertThat(whole.encoding()).isEqualTo(ValueEncoding.FP32);
        assertThat(roundTrip(whole, trained.shape())).isEqualTo(trained);
    }
}
