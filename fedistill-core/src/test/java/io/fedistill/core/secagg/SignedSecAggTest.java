package io.fedistill.core.secagg;

import static io.fedistill.core.secagg.SecAggFederation.ids;
import static io.fedistill.core.secagg.SecAggFederation.plainSum;
import static io.fedistill.core.secagg.SecAggFederation.randomInputs;
import static io.fedistill.core.secagg.SecAggFederation.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Signed secure aggregation, the active-adversary variant of Bonawitz et al.: participants sign
 * their keys and their view of the survivors, and refuse what a server that does not follow the
 * protocol would need to read an input.
 */
class SignedSecAggTest {
    private static final int ROUND = 7;
    private static final int LENGTH = 16;

    private static SecAggConfig signed(int participants, int threshold) {
        return new SecAggConfig(
                threshold,
                Neighbourhood.everyone(),
                LENGTH,
                FixedPoint.forParticipants(1f, participants),
                true);
    }

    private static SecAggFederation federation(SecAggConfig config, int participants) {
        return new SecAggFederation(config, new SecAggRound(ROUND, ids(participants), 42L), 99L);
    }

    @Test
    void sumsExactlyWithDropoutsAtEveryStage() {
        SecAggFederation federation = federation(signed(12, 9), 12);
        Map<String, int[]> inputs = randomInputs(ids(12), LENGTH, 1);

        SecAggResult result = federation.run(inputs, Set.of("p2"), Set.of("p5"), Set.of("p7"));

        List<String> contributors = without(ids(12), Set.of("p2", "p5"));
        assertThat(result.sum()).containsExactly(plainSum(inputs, contributors, LENGTH));
        assertThat(result.contributors()).isEqualTo(contributors);
    }

    @Test
    void secAggPlusCountsSignaturesWithinEachNeighbourhood() {
        Neighbourhood harary = Neighbourhood.harary(6);
        SecAggConfig config =
                new SecAggConfig(5, harary, LENGTH, FixedPoint.forParticipants(1f, 12), true);
        SecAggFederation federation = federation(config, 12);
        Map<String, int[]> inputs = randomInputs(ids(12), LENGTH, 2);

        List<String> all = ids(12);
        List<String> maskers = without(all, Set.of("p4"));
        List<String> signers = without(maskers, Set.of("p10"));
        UnmaskingRequest truth =
                federation.mask(federation.share(federation.advertise(all), all), inputs, maskers);
        federation.confirm(truth, signers);

        // each participant is sent the signatures of its own neighbourhood only
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(harary, federation.round);
        assertThat(federation.server.unmaskingRequestFor("p1").signatures())
                .extracting(SurvivorSignature::signer)
                .containsExactlyElementsOf(
                        signers.stream()
                                .filter(id -> graph.inClosedNeighbourhood("p1", id))
                                .toList());
        SecAggResult result = federation.unmask(truth, signers);
        assertThat(result.sum()).containsExactly(plainSum(inputs, maskers, LENGTH));
    }

    @Test
    void abortsWhenTooFewSurvivorsSignTheirList() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        UnmaskingRequest request = maskedByAll(federation);

        assertThatThrownBy(() -> federation.confirm(request, List.of("p1", "p4", "p5")))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessage(
                        "secure aggregation of round 7 aborted at CONSISTENCY_CHECK: 3"
                                + " participants signed the survivors, at least 4 required");
    }

    @Test
    void participantRefusesKeysTheServerPassesOffAsANeighbours() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));
        AdvertisedKeys genuine = keys.get("p1").get(2);
        SecAggParticipant p1 = federation.participants.get("p1");
        AdvertisedKeys serversOwn =
                new SecAggParticipant(
                                signed(5, 4),
                                federation.round,
                                "p3",
                                new SecureRandom(),
                                federation.credentials.identity("p2"),
                                federation.credentials)
                        .advertiseKeys();

        // unsigned keys, keys signed under another participant's credential, and the genuine
        // credential and signature over other keys
        assertThatThrownBy(() -> p1.shareKeys(replacingP3(keys, unsigned(serversOwn))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "keys of p3 forwarded to p1 in round 7 are unsigned, but the round is"
                                + " signed");
        assertThatThrownBy(() -> p1.shareKeys(replacingP3(keys, serversOwn)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "keys of p3 forwarded to p1 in round 7 carry a credential that is not"
                                + " p3's: the key is not the one pinned for p3");
        AdvertisedKeys forged =
                new AdvertisedKeys(
                        ROUND,
                        "p3",
                        serversOwn.encryptionKey(),
                        serversOwn.maskingKey(),
                        genuine.credential(),
                        genuine.signature());
        assertThatThrownBy(() -> p1.shareKeys(replacingP3(keys, forged)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "keys of p3 forwarded to p1 in round 7 carry a signature that does not"
                                + " verify under p3's credential for this round's roster,"
                                + " neighbourhood and threshold");

        // a refusal leaves the participant where it was: the genuine keys still go through
        assertThat(p1.shareKeys(keys.get("p1")).shares()).hasSize(4);
    }

    @Test
    void serverThatTellsNeighboursDifferentStoriesCollectsNeitherSecret() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        UnmaskingRequest truth = maskedByAll(federation);
        UnmaskingRequest p1Dropped =
                new UnmaskingRequest(ROUND, List.of("p2", "p3", "p4", "p5"), List.of("p1"));
        Map<String, SecAggParticipant> participants = federation.participants;
        // p2 and p3 are told that p1 dropped (the server wants its masking key), the others that it
        // survived (the server wants its self-mask seed); each group signs what it was told
        List<SurvivorSignature> onDropped = new ArrayList<>();
        for (String id : List.of("p2", "p3")) {
            onDropped.add(participants.get(id).confirmSurvivors(p1Dropped));
        }
        List<SurvivorSignature> onTruth = new ArrayList<>();
        for (String id : List.of("p1", "p4", "p5")) {
            onTruth.add(participants.get(id).confirmSurvivors(truth));
        }
        SecAggParticipant p2 = participants.get("p2");

        // a signature another participant gave for the other list does not verify on this one
        List<SurvivorSignature> padded = new ArrayList<>(onDropped);
        padded.add(onTruth.get(1));
        assertThatThrownBy(() -> p2.unmask(p1Dropped.withSignatures(padded)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "the signature of p4 on the survivors of round 7 does not verify");
        // the list three participants did sign is not the one p2 confirmed
        assertThatThrownBy(() -> p2.unmask(truth.withSignatures(onTruth)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unmasking request for round 7 lists other survivors or dropped"
                                + " participants than p2 confirmed");
        // and neither list has the threshold of signatures: two are too few for p1's masking key,
        // three too few for its self-mask seed
        assertThatThrownBy(() -> p2.unmask(p1Dropped.withSignatures(onDropped)))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("2 of p2's closed neighbourhood signed the survivors");
        assertThatThrownBy(() -> participants.get("p4").unmask(truth.withSignatures(onTruth)))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("3 of p4's closed neighbourhood signed the survivors");
    }

    @Test
    void signaturesGatheredInAnotherExecutionOfTheRoundDoNotVerify() {
        // the server runs round 7 twice with the same participants; in the first execution it has
        // p3, p4 and p5 sign that p1 dropped, and stops there
        PinnedCredentials credentials = new PinnedCredentials(ids(5));
        SecAggRound round = new SecAggRound(ROUND, ids(5), 42L);
        SecAggFederation harvest = new SecAggFederation(signed(5, 4), round, 1L, credentials);
        maskedByAll(harvest);
        UnmaskingRequest p1Dropped =
                new UnmaskingRequest(ROUND, List.of("p2", "p3", "p4", "p5"), List.of("p1"));
        List<SurvivorSignature> harvested = new ArrayList<>();
        for (String id : List.of("p3", "p4", "p5")) {
            harvested.add(harvest.participants.get(id).confirmSurvivors(p1Dropped));
        }
        // in the second it tells p2 alone that p1 dropped and adds the harvested signatures
        SecAggFederation real = new SecAggFederation(signed(5, 4), round, 2L, credentials);
        maskedByAll(real);
        SecAggParticipant p2 = real.participants.get("p2");
        List<SurvivorSignature> replayed = new ArrayList<>(harvested);
        replayed.add(0, p2.confirmSurvivors(p1Dropped));

        assertThatThrownBy(() -> p2.unmask(p1Dropped.withSignatures(replayed)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the signature of p3 on the survivors of round 7 does not verify on the"
                                + " list p2 confirmed under the keys p3 advertised in this"
                                + " execution of the round");
    }

    @Test
    void keysSignedForAnotherRosterDoNotVerify() {
        PinnedCredentials credentials = new PinnedCredentials(ids(6));
        SecAggFederation five =
                new SecAggFederation(
                        signed(5, 4), new SecAggRound(ROUND, ids(5), 42L), 1L, credentials);
        SecAggFederation six =
                new SecAggFederation(
                        signed(6, 5), new SecAggRound(ROUND, ids(6), 42L), 2L, credentials);
        Map<String, List<AdvertisedKeys>> keys = six.advertise(ids(6));
        AdvertisedKeys p3ForFive = five.participants.get("p3").advertiseKeys();

        assertThatThrownBy(() -> six.participants.get("p1").shareKeys(replacingP3(keys, p3ForFive)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "keys of p3 forwarded to p1 in round 7 carry a signature that does not"
                                + " verify under p3's credential for this round's roster,"
                                + " neighbourhood and threshold");
    }

    @Test
    void aParticipantCountsOnlyItsOwnNeighbourhoodsSignatures() {
        Neighbourhood harary = Neighbourhood.harary(4);
        SecAggConfig config =
                new SecAggConfig(4, harary, LENGTH, FixedPoint.forParticipants(1f, 12), true);
        SecAggFederation federation = federation(config, 12);
        UnmaskingRequest truth = maskedByAll(federation);
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(harary, federation.round);
        List<String> silent =
                ids(12).stream()
                        .filter(id -> !id.equals("p1") && graph.inClosedNeighbourhood("p1", id))
                        .limit(2)
                        .toList();
        List<SurvivorSignature> signatures = new ArrayList<>();
        for (String id : without(ids(12), silent)) {
            signatures.add(federation.participants.get(id).confirmSurvivors(truth));
        }

        // ten signatures in all, three of them from p1's closed neighbourhood of five
        assertThat(signatures).hasSize(10);
        assertThatThrownBy(
                        () ->
                                federation
                                        .participants
                                        .get("p1")
                                        .unmask(truth.withSignatures(signatures)))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("3 of p1's closed neighbourhood signed the survivors");
    }

    @Test
    void aRequestWithARepeatedSignerOrOneThatDidNotSurviveIsRefused() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        maskedByAll(federation);
        UnmaskingRequest p1Dropped =
                new UnmaskingRequest(ROUND, List.of("p2", "p3", "p4", "p5"), List.of("p1"));
        List<SurvivorSignature> signatures = new ArrayList<>();
        for (String id : List.of("p2", "p3", "p4", "p5")) {
            signatures.add(federation.participants.get(id).confirmSurvivors(p1Dropped));
        }
        SecAggParticipant p2 = federation.participants.get("p2");

        List<SurvivorSignature> repeated = new ArrayList<>(signatures);
        repeated.add(signatures.get(1));
        assertThatThrownBy(() -> p2.unmask(p1Dropped.withSignatures(repeated)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unmasking request for round 7 carries two signatures of p3");
        List<SurvivorSignature> dropped = new ArrayList<>(signatures);
        dropped.add(new SurvivorSignature(ROUND, "p1", signatures.get(0).signature()));
        assertThatThrownBy(() -> p2.unmask(p1Dropped.withSignatures(dropped)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unmasking request for round 7 carries a signature of p1, which is not"
                                + " among the survivors");
        // the request as the four signed it goes through
        assertThat(p2.unmask(p1Dropped.withSignatures(signatures)).shares()).hasSize(5);
    }

    @Test
    void participantUnmasksOnlyAfterConfirmingTheSurvivors() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        UnmaskingRequest truth = maskedByAll(federation);

        assertThatThrownBy(() -> federation.participants.get("p1").unmask(truth))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unmask must follow CONFIRMED");
    }

    @Test
    void serverRefusesUnsignedKeysAndSignaturesThatDoNotVerify() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        AdvertisedKeys unsigned = unsigned(federation.participants.get("p1").advertiseKeys());

        assertThatThrownBy(() -> federation.server.receiveKeys(unsigned))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "keys of p1 sent to the server in round 7 are unsigned, but the round is"
                                + " signed");

        SecAggFederation other = federation(signed(5, 4), 5);
        UnmaskingRequest truth = maskedByAll(other);
        SurvivorSignature p1 = other.participants.get("p1").confirmSurvivors(truth);
        SurvivorSignature relabelled = new SurvivorSignature(ROUND, "p2", p1.signature());
        assertThatThrownBy(() -> other.server.receiveSurvivorSignature(relabelled))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the survivor signature of p2 in round 7 does not verify under its"
                                + " credential");
    }

    @Test
    void serverTakesUnmaskingSharesOnlyFromSigners() {
        SecAggFederation federation = federation(signed(5, 4), 5);
        federation.confirm(maskedByAll(federation), ids(4));

        assertThatThrownBy(
                        () ->
                                federation.server.receiveUnmaskingShares(
                                        new UnmaskingShares(ROUND, "p5", List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p5 sent unmasking shares but did not sign the survivors of round 7");
    }

    @Test
    void aParticipantWithAnIdentityRefusesUnsignedRounds() {
        SecAggRound round = new SecAggRound(ROUND, ids(5), 0);
        PinnedCredentials credentials = new PinnedCredentials(ids(5));
        SecAggConfig unsigned =
                new SecAggConfig(
                        3, Neighbourhood.everyone(), LENGTH, FixedPoint.forParticipants(1f, 5));

        assertThatThrownBy(
                        () ->
                                new SecAggParticipant(
                                        unsigned,
                                        round,
                                        "p1",
                                        new SecureRandom(),
                                        credentials.identity("p1"),
                                        credentials))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "p1 holds a signing identity and takes part in signed secure aggregation"
                                + " only, but round 7 is unsigned: a server that does not follow the"
                                + " protocol could then read its input");
        assertThatThrownBy(
                        () -> new SecAggParticipant(signed(5, 4), round, "p1", new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("round 7 is signed secure aggregation, but p1 has no signing identity");
        assertThatThrownBy(() -> new SecAggServer(signed(5, 4), round))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "signed secure aggregation of round 7 needs a verifier of the"
                                + " participants' credentials");
    }

    @Test
    void signedRoundsNeedAThresholdAboveTwoThirdsOfEachNeighbourhood() {
        SecAggRound round = new SecAggRound(ROUND, ids(6), 0);

        assertThatThrownBy(
                        () -> new SecAggServer(signed(6, 4), round, new PinnedCredentials(ids(6))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "signed secure aggregation of round 7 needs a threshold above two thirds"
                                + " of its closed neighbourhoods of 6 participants (at least 5), so"
                                + " that no two survivor lists can both be signed by a threshold;"
                                + " got 4");
    }

    /** Runs advertising, sharing and masking with everyone and returns the true survivor list. */
    private static UnmaskingRequest maskedByAll(SecAggFederation federation) {
        List<String> all = federation.round.roster();
        Map<String, int[]> inputs = randomInputs(all, LENGTH, 3);
        return federation.mask(federation.share(federation.advertise(all), all), inputs, all);
    }

    private static AdvertisedKeys unsigned(AdvertisedKeys keys) {
        return new AdvertisedKeys(
                keys.round(), keys.participantId(), keys.encryptionKey(), keys.maskingKey());
    }

    private static List<AdvertisedKeys> replacingP3(
            Map<String, List<AdvertisedKeys>> keys, AdvertisedKeys replacement) {
        return keys.get("p1").stream()
                .map(k -> k.participantId().equals("p3") ? replacement : k)
                .toList();
    }
}
