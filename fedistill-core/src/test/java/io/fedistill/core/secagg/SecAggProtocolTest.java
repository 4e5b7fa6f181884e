package io.fedistill.core.secagg;

import static io.fedistill.core.secagg.SecAggFederation.ids;
import static io.fedistill.core.secagg.SecAggFederation.plainSum;
import static io.fedistill.core.secagg.SecAggFederation.randomInputs;
import static io.fedistill.core.secagg.SecAggFederation.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecAggProtocolTest {
    private static final int ROUND = 7;
    private static final int LENGTH = 50;

    private static SecAggConfig fullConfig(int participants, int threshold, int length) {
        return new SecAggConfig(
                threshold,
                Neighbourhood.everyone(),
                length,
                FixedPoint.forParticipants(1f, participants));
    }

    private static SecAggFederation federation(SecAggConfig config, int participants) {
        return new SecAggFederation(config, new SecAggRound(ROUND, ids(participants), 42L), 1234L);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7, 8, 9, 10})
    void sumsExactlyWithoutDropouts(int participants) {
        SecAggFederation federation =
                federation(fullConfig(participants, participants / 2 + 1, LENGTH), participants);
        Map<String, int[]> inputs = randomInputs(ids(participants), LENGTH, participants);

        SecAggResult result = federation.run(inputs, Set.of(), Set.of(), Set.of());

        assertThat(result.sum()).containsExactly(plainSum(inputs, ids(participants), LENGTH));
        assertThat(result.contributors()).isEqualTo(ids(participants));
    }

    @Test
    void participantsSilentAfterAdvertisingAreLeftOutOfTheSum() {
        SecAggFederation federation = federation(fullConfig(8, 4, LENGTH), 8);
        Map<String, int[]> inputs = randomInputs(ids(8), LENGTH, 1);

        SecAggResult result = federation.run(inputs, Set.of("p3", "p6"), Set.of(), Set.of());

        List<String> contributors = List.of("p1", "p2", "p4", "p5", "p7", "p8");
        assertThat(result.sum()).containsExactly(plainSum(inputs, contributors, LENGTH));
        assertThat(result.contributors()).isEqualTo(contributors);
    }

    @Test
    void pairwiseMasksOfParticipantsSilentAfterSharingAreRemoved() {
        SecAggFederation federation = federation(fullConfig(8, 4, LENGTH), 8);
        Map<String, int[]> inputs = randomInputs(ids(8), LENGTH, 2);

        SecAggResult result = federation.run(inputs, Set.of(), Set.of("p2", "p7"), Set.of());

        List<String> contributors = List.of("p1", "p3", "p4", "p5", "p6", "p8");
        assertThat(result.sum()).containsExactly(plainSum(inputs, contributors, LENGTH));
        assertThat(result.contributors()).isEqualTo(contributors);
    }

    @Test
    void inputsOfParticipantsSilentAfterMaskingStayInTheSum() {
        SecAggFederation federation = federation(fullConfig(8, 4, LENGTH), 8);
        Map<String, int[]> inputs = randomInputs(ids(8), LENGTH, 3);

        SecAggResult result = federation.run(inputs, Set.of(), Set.of(), Set.of("p1", "p5", "p8"));

        assertThat(result.sum()).containsExactly(plainSum(inputs, ids(8), LENGTH));
        assertThat(result.contributors()).isEqualTo(ids(8));
    }

    @Test
    void survivesDropoutsAtEveryStageTogether() {
        SecAggFederation federation = federation(fullConfig(10, 5, LENGTH), 10);
        Map<String, int[]> inputs = randomInputs(ids(10), LENGTH, 4);

        SecAggResult result =
                federation.run(inputs, Set.of("p10"), Set.of("p1", "p4"), Set.of("p2", "p9"));

        List<String> contributors = List.of("p2", "p3", "p5", "p6", "p7", "p8", "p9");
        assertThat(result.sum()).containsExactly(plainSum(inputs, contributors, LENGTH));
        assertThat(result.contributors()).isEqualTo(contributors);
    }

    @Test
    void dropoutAnnouncementNamesSurvivorsAndDroppedInRosterOrder() {
        SecAggFederation federation = federation(fullConfig(6, 3, LENGTH), 6);
        Map<String, int[]> inputs = randomInputs(ids(6), LENGTH, 5);
        Map<String, List<EncryptedShares>> shares =
                federation.share(federation.advertise(ids(6)), without(ids(6), Set.of("p6")));

        UnmaskingRequest request = federation.mask(shares, inputs, List.of("p5", "p1", "p3", "p2"));

        assertThat(request.round()).isEqualTo(ROUND);
        assertThat(request.survivors()).containsExactly("p1", "p2", "p3", "p5");
        assertThat(request.dropped()).containsExactly("p4");
    }

    @Test
    void abortsWhenTooFewAdvertise() {
        SecAggFederation federation = federation(fullConfig(5, 3, LENGTH), 5);

        assertThatThrownBy(() -> federation.advertise(List.of("p1", "p2")))
                .isInstanceOfSatisfying(
                        SecAggAbortedException.class,
                        e -> {
                            assertThat(e.round()).isEqualTo(ROUND);
                            assertThat(e.stage()).isEqualTo(SecAggStage.ADVERTISE_KEYS);
                            assertThat(e.remaining()).isEqualTo(2);
                            assertThat(e.required()).isEqualTo(3);
                        })
                .hasMessage(
                        "secure aggregation of round 7 aborted at ADVERTISE_KEYS: 2 participants"
                                + " advertised keys, at least 3 required");
        assertThatThrownBy(
                        () ->
                                federation.server.receiveKeys(
                                        federation.participants.get("p3").advertiseKeys()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("keys of p3 arrived after round 7 aborted at ADVERTISE_KEYS");
    }

    @Test
    void abortsWhenTooFewShare() {
        SecAggFederation federation = federation(fullConfig(5, 3, LENGTH), 5);
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));

        assertThatThrownBy(() -> federation.share(keys, List.of("p4", "p5")))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessage(
                        "secure aggregation of round 7 aborted at SHARE_KEYS: 2 participants"
                                + " shared keys, at least 3 required");
    }

    @Test
    void abortsWhenTooFewSendMaskedVectors() {
        SecAggFederation federation = federation(fullConfig(5, 3, LENGTH), 5);
        Map<String, int[]> inputs = randomInputs(ids(5), LENGTH, 6);
        Map<String, List<EncryptedShares>> shares =
                federation.share(federation.advertise(ids(5)), ids(5));

        assertThatThrownBy(() -> federation.mask(shares, inputs, List.of("p1", "p3")))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessage(
                        "secure aggregation of round 7 aborted at MASKED_INPUT: 2 participants"
                                + " sent masked vectors, at least 3 required");
    }

    @Test
    void abortsWhenTooFewAnswerTheUnmaskingRequest() {
        SecAggFederation federation = federation(fullConfig(5, 3, LENGTH), 5);
        Map<String, int[]> inputs = randomInputs(ids(5), LENGTH, 7);
        Map<String, List<EncryptedShares>> shares =
                federation.share(federation.advertise(ids(5)), ids(5));
        UnmaskingRequest request = federation.mask(shares, inputs, ids(5));

        assertThatThrownBy(() -> federation.unmask(request, List.of("p2", "p5")))
                .isInstanceOfSatisfying(
                        SecAggAbortedException.class,
                        e -> assertThat(e.stage()).isEqualTo(SecAggStage.UNMASKING))
                .hasMessage(
                        "secure aggregation of round 7 aborted at UNMASKING: 2 participants"
                                + " sent unmasking shares, at least 3 required");
    }

    @Test
    void participantAbortsWhenTooFewNeighboursAdvertised() {
        SecAggFederation federation = federation(fullConfig(5, 3, LENGTH), 5);
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));
        List<AdvertisedKeys> ownAndOne = keys.get("p1").subList(0, 2);

        assertThatThrownBy(() -> federation.participants.get("p1").shareKeys(ownAndOne))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessage(
                        "secure aggregation of round 7 aborted at ADVERTISE_KEYS: 2 of p1's closed"
                                + " neighbourhood advertised keys, at least 3 required");
    }

    @Test
    void secAggPlusSumsExactlyWithDropoutsAndSharesOnlyWithNeighbours() {
        int participants = 30;
        Neighbourhood harary = Neighbourhood.harary(8);
        SecAggConfig config =
                new SecAggConfig(5, harary, LENGTH, FixedPoint.forParticipants(1f, participants));
        SecAggRound round = new SecAggRound(ROUND, ids(participants), 99L);
        SecAggFederation federation = new SecAggFederation(config, round, 5678L);
        Map<String, int[]> inputs = randomInputs(ids(participants), LENGTH, 8);
        Set<String> silentAfterAdvertising = Set.of("p4", "p17");
        Set<String> silentAfterSharing = Set.of("p9", "p23");
        List<String> sharers = without(ids(participants), silentAfterAdvertising);
        List<String> maskers = without(sharers, silentAfterSharing);

        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(participants));
        Map<String, List<EncryptedShares>> shares = federation.share(keys, sharers);
        UnmaskingRequest request = federation.mask(shares, inputs, maskers);
        SecAggResult result = federation.unmask(request, without(maskers, Set.of("p12")));

        assertThat(result.sum()).containsExactly(plainSum(inputs, maskers, LENGTH));
        assertThat(result.contributors()).isEqualTo(maskers);
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(harary, round);
        for (String id : ids(participants)) {
            assertThat(keys.get(id))
                    .extracting(AdvertisedKeys::participantId)
                    .containsExactlyElementsOf(graph.closedNeighbourhood(id))
                    .hasSize(9);
        }
        for (String id : maskers) {
            assertThat(shares.get(id))
                    .extracting(EncryptedShares::sender)
                    .containsExactlyElementsOf(
                            without(
                                    List.copyOf(graph.closedNeighbourhood(id)),
                                    Set.of(id, "p4", "p17")));
        }
    }

    @Test
    void secAggPlusAbortsWhenOneNeighbourhoodFallsBelowTheThreshold() {
        int participants = 30;
        Neighbourhood harary = Neighbourhood.harary(4);
        SecAggConfig config =
                new SecAggConfig(4, harary, LENGTH, FixedPoint.forParticipants(1f, participants));
        SecAggRound round = new SecAggRound(ROUND, ids(participants), 99L);
        SecAggFederation federation = new SecAggFederation(config, round, 5678L);
        List<String> neighbours =
                without(
                        List.copyOf(NeighbourhoodGraph.of(harary, round).closedNeighbourhood("p1")),
                        Set.of("p1"));

        assertThatThrownBy(
                        () ->
                                federation.advertise(
                                        without(
                                                ids(participants),
                                                Set.copyOf(neighbours.subList(0, 2)))))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessage(
                        "secure aggregation of round 7 aborted at ADVERTISE_KEYS: 3 of p1's closed"
                                + " neighbourhood advertised keys, at least 4 required");
    }

    @Test
    void decodedSecureSumOfFloatsIsWithinTheFixedPointBound() {
        int participants = 6;
        FixedPoint fixedPoint = FixedPoint.forParticipants(1f, participants);
        SecAggConfig config = new SecAggConfig(3, Neighbourhood.everyone(), LENGTH, fixedPoint);
        SecAggFederation federation = federation(config, participants);
        Random random = new Random(9);
        Map<String, int[]> encoded = new LinkedHashMap<>();
        double[] clippedSum = new double[LENGTH];
        for (String id : ids(participants)) {
            float[] values = new float[LENGTH];
            for (int i = 0; i < LENGTH; i++) {
                values[i] = (float) (3 * random.nextDouble() - 1.5);
                clippedSum[i] += Math.max(-1f, Math.min(1f, values[i]));
            }
            encoded.put(id, fixedPoint.encode(values));
        }

        float[] decoded =
                fixedPoint.decode(federation.run(encoded, Set.of(), Set.of(), Set.of()).sum());

        for (int i = 0; i < LENGTH; i++) {
            assertThat(Math.abs(decoded[i] - clippedSum[i]))
                    .isLessThanOrEqualTo(participants * fixedPoint.maxDecodingError());
        }
    }

    @Test
    void theSelfMaskSeedsTheServerRebuildsLeaveEachVectorHiddenByPairwiseMasks() {
        SecAggFederation federation = federation(fullConfig(5, 3, LENGTH), 5);
        Map<String, int[]> inputs = randomInputs(ids(5), LENGTH, 10);
        Map<String, List<EncryptedShares>> shares =
                federation.share(federation.advertise(ids(5)), ids(5));
        Map<String, int[]> masked = new LinkedHashMap<>();
        for (String id : ids(5)) {
            MaskedVector vector =
                    federation.participants.get(id).maskInput(inputs.get(id), shares.get(id));
            federation.server.receiveMaskedVector(vector);
            masked.put(id, vector.vector());
        }
        UnmaskingRequest request = federation.server.endMasking();
        Map<String, List<ShamirShare>> seedShares = new LinkedHashMap<>();
        for (int holder = 1; holder <= 3; holder++) {
            for (RevealedShare share :
                    federation.participants.get("p" + holder).unmask(request).shares()) {
                assertThat(share.secret()).isEqualTo(RevealedShare.Secret.SELF_MASK_SEED);
                seedShares
                        .computeIfAbsent(share.owner(), owner -> new ArrayList<>())
                        .add(ShamirShare.fromBytes(holder, share.share()));
            }
        }

        int[] sumWithoutSelfMasks = new int[LENGTH];
        for (String id : ids(5)) {
            int[] withoutSelfMask = masked.get(id);
            MaskExpander.subtractMask(
                    withoutSelfMask, ShamirSharing.combine(seedShares.get(id), 32));
            for (int i = 0; i < LENGTH; i++) {
                assertThat(withoutSelfMask[i]).isNotEqualTo(inputs.get(id)[i]);
                sumWithoutSelfMasks[i] += withoutSelfMask[i];
            }
        }
        // the seeds are right: once they are removed the pairwise masks cancel in the sum
        assertThat(sumWithoutSelfMasks).containsExactly(plainSum(inputs, ids(5), LENGTH));
    }

    @Test
    void maskedVectorIsIndistinguishableFromUniform() {
        int length = 100_000;
        SecAggFederation federation = federation(fullConfig(3, 2, length), 3);
        int[] smallValues = new int[length];
        for (int i = 0; i < length; i++) {
            smallValues[i] = i % 16;
        }
        Map<String, List<EncryptedShares>> shares =
                federation.share(federation.advertise(ids(3)), ids(3));

        int[] masked =
                federation.participants.get("p1").maskInput(smallValues, shares.get("p1")).vector();

        // 330.52 is the 0.999 quantile of chi-square with 255 degrees of freedom
        assertThat(highByteChiSquare(masked)).isLessThan(330.52);
        assertThat(highByteChiSquare(smallValues)).isGreaterThan(330.52);
        // 3.2 million bits: one standard deviation of their mean is 0.00028
        assertThat(fractionOfBitsSet(masked)).isBetween(0.498, 0.502);
        assertThat(fractionOfBitsSet(smallValues)).isEqualTo(0.0625);
    }

    private static double highByteChiSquare(int[] words) {
        long[] counts = new long[256];
        for (int word : words) {
            counts[word >>> 24]++;
        }
        double expected = words.length / 256.0;
        double chiSquare = 0;
        for (long count : counts) {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        return chiSquare;
    }

    private static double fractionOfBitsSet(int[] words) {
        long bits = 0;
        for (int word : words) {
            bits += Integer.bitCount(word);
        }
        return bits / (32.0 * words.length);
    }
}
