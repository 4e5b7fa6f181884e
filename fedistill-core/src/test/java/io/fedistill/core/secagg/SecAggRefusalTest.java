package io.fedistill.core.secagg;

import static io.fedistill.core.secagg.SecAggFederation.ids;
import static io.fedistill.core.secagg.SecAggFederation.randomInputs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fedistill.core.secagg.RevealedShare.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecAggRefusalTest {
    private static final int LENGTH = 8;

    private final SecAggFederation federation =
            new SecAggFederation(
                    new SecAggConfig(
                            3, Neighbourhood.everyone(), LENGTH, FixedPoint.forParticipants(1f, 5)),
                    new SecAggRound(7, ids(5), 0),
                    77L);
    private final SecAggServer server = federation.server;
    private final SecAggParticipant p1 = federation.participants.get("p1");
    private final Map<String, int[]> inputs = randomInputs(ids(5), LENGTH, 1);

    private Map<String, List<EncryptedShares>> advertiseAndShare() {
        return federation.share(federation.advertise(ids(5)), ids(5));
    }

    @Test
    void serverRefusesAMaskedVectorOfTheWrongLength() {
        advertiseAndShare();

        assertThatThrownBy(() -> server.receiveMaskedVector(new MaskedVector(7, "p1", new int[7])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("masked vector from p1 has 7 values; round 7 aggregates vectors of 8");
    }

    @Test
    void participantRefusesAnInputOfTheWrongLength() {
        Map<String, List<EncryptedShares>> shares = advertiseAndShare();

        assertThatThrownBy(() -> p1.maskInput(new int[9], shares.get("p1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input of p1 has 9 values; round 7 aggregates vectors of 8");
    }

    @Test
    void serverRefusesMessagesFromParticipantsOffTheRoster() {
        AdvertisedKeys stranger = new AdvertisedKeys(7, "p99", new byte[32], new byte[32]);

        assertThatThrownBy(() -> server.receiveKeys(stranger))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("participant p99 is not on the roster of round 7");
    }

    @Test
    void serverRefusesARevealedShareOfAnUnknownParticipant() {
        UnmaskingRequest request = federation.mask(advertiseAndShare(), inputs, ids(5));
        UnmaskingShares genuine = p1.unmask(request);
        List<RevealedShare> withStranger = new ArrayList<>(genuine.shares());
        withStranger.add(new RevealedShare("p99", Secret.SELF_MASK_SEED, new byte[66]));

        assertThatThrownBy(
                        () ->
                                server.receiveUnmaskingShares(
                                        new UnmaskingShares(7, "p1", withStranger)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("participant p99 is not on the roster of round 7");
    }

    @Test
    void participantRefusesForwardedKeysOfAnUnknownParticipant() {
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));
        List<AdvertisedKeys> withStranger = new ArrayList<>(keys.get("p1"));
        withStranger.add(new AdvertisedKeys(7, "p99", new byte[32], new byte[32]));

        assertThatThrownBy(() -> p1.shareKeys(withStranger))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("participant p99 is not on the roster of round 7");
    }

    @Test
    void serverRefusesARepeatAtEveryStage() {
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));
        ShareBundle bundle = p1.shareKeys(keys.get("p1"));
        server.receiveShares(bundle);

        assertThatThrownBy(() -> server.receiveShares(bundle))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p1 already sent its shares in round 7");

        for (String id : ids(5).subList(1, 5)) {
            server.receiveShares(federation.participants.get(id).shareKeys(keys.get(id)));
        }
        Map<String, List<EncryptedShares>> shares = server.endSharing();
        MaskedVector masked = p1.maskInput(inputs.get("p1"), shares.get("p1"));
        server.receiveMaskedVector(masked);

        assertThatThrownBy(() -> server.receiveMaskedVector(masked))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p1 already sent its masked vector in round 7");

        for (String id : ids(5).subList(1, 5)) {
            server.receiveMaskedVector(
                    federation.participants.get(id).maskInput(inputs.get(id), shares.get(id)));
        }
        UnmaskingShares revealed = p1.unmask(server.endMasking());
        server.receiveUnmaskingShares(revealed);

        assertThatThrownBy(() -> server.receiveUnmaskingShares(revealed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p1 already sent its unmasking shares in round 7");
    }

    @Test
    void serverRefusesRepeatedKeys() {
        AdvertisedKeys keys = p1.advertiseKeys();
        server.receiveKeys(keys);

        assertThatThrownBy(() -> server.receiveKeys(keys))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p1 already sent its keys in round 7");
    }

    @Test
    void serverRefusesMessagesOfAnotherRound() {
        AdvertisedKeys keys = p1.advertiseKeys();
        AdvertisedKeys stale = new AdvertisedKeys(6, "p1", keys.encryptionKey(), keys.maskingKey());

        assertThatThrownBy(() -> server.receiveKeys(stale))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keys of p1 came from round 6, but the server is running round 7");
    }

    @Test
    void participantRefusesSharesForwardedTwice() {
        Map<String, List<EncryptedShares>> shares = advertiseAndShare();
        List<EncryptedShares> doubled = new ArrayList<>(shares.get("p1"));
        doubled.add(doubled.get(0));

        assertThatThrownBy(() -> p1.maskInput(inputs.get("p1"), doubled))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shares from p2 were forwarded to p1 twice");
    }

    @Test
    void participantRefusesATamperedCiphertext() {
        List<EncryptedShares> received = new ArrayList<>(advertiseAndShare().get("p1"));
        EncryptedShares fromP2 = received.get(0);
        byte[] tampered = fromP2.ciphertext();
        tampered[5] ^= 1;
        received.set(0, new EncryptedShares(7, "p2", "p1", fromP2.nonce(), tampered));

        assertThatThrownBy(() -> p1.maskInput(inputs.get("p1"), received))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shares from p2 to p1 in round 7 failed authentication");
    }

    @Test
    void participantRefusesSharesRelabelledWithAnotherSender() {
        List<EncryptedShares> received = new ArrayList<>(advertiseAndShare().get("p1"));
        EncryptedShares fromP3 = received.get(1);
        // p3's shares presented as p2's: the tag binds the sender and the pairwise key differs
        received.set(0, new EncryptedShares(7, "p2", "p1", fromP3.nonce(), fromP3.ciphertext()));

        assertThatThrownBy(() -> p1.maskInput(inputs.get("p1"), received))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shares from p2 to p1 in round 7 failed authentication");
    }

    @Test
    void participantRefusesSharesAddressedToAnother() {
        Map<String, List<EncryptedShares>> shares = advertiseAndShare();

        assertThatThrownBy(() -> p1.maskInput(inputs.get("p1"), shares.get("p2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shares from p1 addressed to p2 were forwarded to p1");
    }

    @Test
    void requestThatWouldRevealBothSecretsOfAParticipantIsRefused() {
        assertThatThrownBy(() -> new UnmaskingRequest(7, List.of("p1", "p2", "p3"), List.of("p3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unmasking request for round 7 lists participant p3 as both surviving and"
                                + " dropped; revealing both its self-mask seed and its masking key"
                                + " would expose its input");
    }

    @Test
    void participantAnswersOnlyOneUnmaskingRequest() {
        federation.mask(advertiseAndShare(), inputs, ids(5));
        UnmaskingShares first = p1.unmask(new UnmaskingRequest(7, ids(5), List.of()));

        assertThat(first.shares())
                .extracting(RevealedShare::owner, RevealedShare::secret)
                .containsExactly(
                        tuple("p1", Secret.SELF_MASK_SEED),
                        tuple("p2", Secret.SELF_MASK_SEED),
                        tuple("p3", Secret.SELF_MASK_SEED),
                        tuple("p4", Secret.SELF_MASK_SEED),
                        tuple("p5", Secret.SELF_MASK_SEED));
        assertThatThrownBy(
                        () ->
                                p1.unmask(
                                        new UnmaskingRequest(
                                                7, List.of("p1", "p2", "p3", "p4"), List.of("p5"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "p1 already answered an unmasking request in round 7; answering another"
                                + " could reveal both secrets of a neighbour");
    }

    @Test
    void participantRefusesARequestListingItAsDropped() {
        federation.mask(advertiseAndShare(), inputs, ids(5));

        assertThatThrownBy(
                        () ->
                                p1.unmask(
                                        new UnmaskingRequest(
                                                7, List.of("p2", "p3", "p4", "p5"), List.of("p1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unmasking request for round 7 does not list p1 among the survivors, yet"
                                + " asks it for shares");
    }

    @Test
    void participantRefusesARequestThatLeavesOutASharingNeighbour() {
        federation.mask(advertiseAndShare(), inputs, ids(5));

        assertThatThrownBy(
                        () ->
                                p1.unmask(
                                        new UnmaskingRequest(
                                                7, List.of("p1", "p2", "p3"), List.of("p5"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unmasking request for round 7 lists p4, which shared keys with p1,"
                                + " neither as surviving nor as dropped");
    }

    @Test
    void participantRefusesARequestNamingANeighbourThatDidNotShare() {
        Map<String, List<EncryptedShares>> shares =
                federation.share(federation.advertise(ids(5)), ids(4));
        federation.mask(shares, inputs, ids(4));

        assertThatThrownBy(() -> p1.unmask(new UnmaskingRequest(7, ids(5), List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unmasking request for round 7 lists p5 as surviving, but p5 did not share"
                                + " keys with p1");
    }

    @Test
    void serverRefusesTheMaskingKeyShareOfASurvivor() {
        UnmaskingRequest request = federation.mask(advertiseAndShare(), inputs, ids(5));
        List<RevealedShare> shares = new ArrayList<>(p1.unmask(request).shares());
        RevealedShare ofP2 = shares.get(1);
        shares.set(1, new RevealedShare("p2", Secret.MASKING_KEY, ofP2.share()));

        assertThatThrownBy(
                        () -> server.receiveUnmaskingShares(new UnmaskingShares(7, "p1", shares)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "p1 revealed a share of p2's MASKING_KEY, but only its SELF_MASK_SEED may"
                                + " be revealed: with both, p2's input would be exposed");
    }

    @Test
    void serverRefusesABundleLackingANeighbour() {
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));
        ShareBundle bundle = p1.shareKeys(keys.get("p1"));

        assertThatThrownBy(
                        () ->
                                server.receiveShares(
                                        new ShareBundle(7, "p1", bundle.shares().subList(0, 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bundle of p1 lacks shares for its neighbour p5");
    }

    @Test
    void serverRefusesMessagesFromParticipantsThatSkippedAStage() {
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(4));
        assertThatThrownBy(() -> server.receiveShares(new ShareBundle(7, "p5", List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p5 sent shares but did not advertise keys in round 7");

        Map<String, List<EncryptedShares>> shares = federation.share(keys, ids(3));
        assertThatThrownBy(
                        () ->
                                server.receiveMaskedVector(
                                        new MaskedVector(7, "p4", new int[LENGTH])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p4 sent a masked vector but did not share keys in round 7");

        federation.mask(shares, inputs, ids(3));
        assertThatThrownBy(
                        () ->
                                server.receiveUnmaskingShares(
                                        new UnmaskingShares(7, "p4", List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("p4 sent unmasking shares but no masked vector in round 7");
    }

    @Test
    void participantRefusesCallsOutOfOrder() {
        p1.advertiseKeys();

        assertThatThrownBy(() -> p1.maskInput(new int[LENGTH], List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "maskInput on p1 in round 7 is out of order: the participant's last step"
                                + " was ADVERTISED, and maskInput must follow SHARED");
    }

    @Test
    void serverRefusesMessagesOfAnotherStage() {
        ShareBundle early = new ShareBundle(7, "p1", List.of());

        assertThatThrownBy(() -> server.receiveShares(early))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "shares from p1 belongs to stage SHARE_KEYS, but round 7 is at stage"
                                + " ADVERTISE_KEYS");
    }

    @Test
    void participantRefusesKeysPassedOffAsItsOwn() {
        Map<String, List<AdvertisedKeys>> keys = federation.advertise(ids(5));
        List<AdvertisedKeys> forged = new ArrayList<>(keys.get("p1"));
        AdvertisedKeys ofP2 = forged.get(1);
        forged.set(0, new AdvertisedKeys(7, "p1", ofP2.encryptionKey(), ofP2.maskingKey()));

        assertThatThrownBy(() -> p1.shareKeys(forged))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the keys forwarded to p1 as its own are missing or differ from those it"
                                + " advertised");
    }

    @Test
    void participantRefusesKeysOfANonNeighbour() {
        SecAggRound round = new SecAggRound(7, ids(12), 5L);
        Neighbourhood harary = Neighbourhood.harary(4);
        SecAggFederation sparse =
                new SecAggFederation(
                        new SecAggConfig(3, harary, LENGTH, FixedPoint.forParticipants(1f, 12)),
                        round,
                        3L);
        Map<String, List<AdvertisedKeys>> keys = sparse.advertise(ids(12));
        String stranger =
                ids(12).stream()
                        .filter(
                                id ->
                                        !NeighbourhoodGraph.of(harary, round)
                                                .inClosedNeighbourhood("p1", id))
                        .findFirst()
                        .orElseThrow();
        AdvertisedKeys strangersKeys =
                keys.get(stranger).stream()
                        .filter(advertised -> advertised.participantId().equals(stranger))
                        .findFirst()
                        .orElseThrow();
        List<AdvertisedKeys> withStranger = new ArrayList<>(keys.get("p1"));
        withStranger.add(strangersKeys);

        assertThat(keys.get("p1")).hasSize(5);
        assertThatThrownBy(() -> sparse.participants.get("p1").shareKeys(withStranger))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "keys of "
                                + stranger
                                + " reached p1, but "
                                + stranger
                                + " is not its neighbour in round 7");
    }
}
