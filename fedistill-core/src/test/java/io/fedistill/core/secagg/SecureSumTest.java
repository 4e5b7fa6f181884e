package io.fedistill.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.identity.SigningIdentity;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Secure aggregation through the message protocol: participants' hosts withhold their uploads and
 * answer the stages; the coordinator learns the weighted mean and nothing else.
 */
class SecureSumTest {
    private static final MessageType TRAIN = MessageType.of("test", "train");

    /** A task whose reply holds nothing learned from data: seeded initial weights. */
    private static final MessageType INIT = MessageType.of("test", "init");

    private static final List<String> IDS = List.of("p0", "p1", "p2", "p3", "p4");

    /** The participants' identities and the verifier of their credentials, in signed tests. */
    private static final PinnedCredentials CREDENTIALS = new PinnedCredentials(IDS);

    private static HostedIdentities identities() {
        Map<String, SigningIdentity> own = new LinkedHashMap<>();
        IDS.forEach(id -> own.put(id, CREDENTIALS.identity(id)));
        return new HostedIdentities(own, CREDENTIALS, true);
    }

    private static ParticipantHost host() {
        return host(Optional.empty());
    }

    /** Participant i uploads weights {i, -i, 0.5} for i + 1 examples. */
    private static ParticipantHost host(Optional<HostedIdentities> identities) {
        return host(identities, 1);
    }

    /** As {@link #host(Optional)}, each participant summing only with {@code minimum} or more. */
    private static ParticipantHost host(Optional<HostedIdentities> identities, int minimum) {
        Map<String, Learner> learners = new LinkedHashMap<>();
        for (String id : IDS) {
            int i = IDS.indexOf(id);
            learners.put(
                    id,
                    Learner.builder()
                            .on(
                                    TRAIN,
                                    (request, context) ->
                                            request.reply()
                                                    .optTensors(
                                                            TensorRecord.of(
                                                                    "w",
                                                                    Tensor.vector(i, -i, 0.5f),
                                                                    TensorRole.WEIGHTS))
                                                    .optMetrics(Metrics.of("examples", i + 1))
                                                    .build())
                            .onDataFree(
                                    INIT,
                                    (request, context) ->
                                            request.reply()
                                                    .optTensors(
                                                            TensorRecord.of(
                                                                    "w",
                                                                    Tensor.vector(0, 0, 0),
                                                                    TensorRole.WEIGHTS))
                                                    .build())
                            .build());
        }
        return ParticipantHost.builder(learners, new StateStore(Codec.fp32()), 1)
                .optIdentities(identities)
                .optMinimumSecureSumContributors(minimum)
                .build();
    }

    /** Reaches the host, and loses the replies of the listed {@code participant@type}s. */
    private static final class LossyFleet implements Fleet {
        final ParticipantHost host;
        final Set<String> lost;
        final Optional<CredentialVerifier> verifier;
        final List<Message> seen = new ArrayList<>();
        final List<Message> sent = new ArrayList<>();

        LossyFleet(Set<String> lost) {
            this(lost, Optional.empty(), Optional.empty());
        }

        LossyFleet(
                Set<String> lost,
                Optional<HostedIdentities> identities,
                Optional<CredentialVerifier> verifier) {
            this(lost, host(identities), verifier);
        }

        LossyFleet(Set<String> lost, ParticipantHost host, Optional<CredentialVerifier> verifier) {
            this.host = host;
            this.lost = lost;
            this.verifier = verifier;
        }

        @Override
        public Optional<CredentialVerifier> credentialVerifier() {
            return verifier;
        }

        @Override
        public List<String> participantIds() {
            return IDS;
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            List<Message> replies = new ArrayList<>();
            List<ParticipantFailure> failures = new ArrayList<>();
            for (Message request : requests) {
                sent.add(request);
                Message reply = host.answer(request, host.open(request));
                seen.add(reply);
                String key = request.participantId() + "@" + request.type();
                String why = spec.check(request, reply).orElse(lost.contains(key) ? "lost" : null);
                if (why == null) {
                    replies.add(reply);
                } else {
                    failures.add(new ParticipantFailure(request.participantId(), 1, why));
                }
            }
            return new ExchangeResult(replies, failures, List.of());
        }
    }

    private static List<String> uploadSecurely(LossyFleet fleet) {
        return uploadSecurely(fleet, 1);
    }

    private static List<String> uploadSecurely(LossyFleet fleet, int round) {
        List<Message> tasks = new ArrayList<>();
        for (String id : IDS) {
            tasks.add(
                    Message.builder(round, TRAIN, id)
                            .optConfig(ConfigRecord.of(SecureSum.WEIGHT, "examples"))
                            .build());
        }
        ExchangeResult uploads = fleet.exchange(tasks, ReplySpec.metricsOnly("examples"));
        // nothing but metrics left the participants
        assertThat(uploads.replies()).allSatisfy(r -> assertThat(r.tensors().isEmpty()).isTrue());
        return uploads.replies().stream().map(Message::participantId).toList();
    }

    private static final TensorRecord LAYOUT =
            TensorRecord.of("w", Tensor.zeros(3), TensorRole.WEIGHTS);

    @Test
    void theCoordinatorGetsTheWeightedMeanOfEveryUpload() {
        LossyFleet fleet = new LossyFleet(Set.of());
        List<String> holders = uploadSecurely(fleet);
        SecureSum.Result sum =
                SecureSum.run(
                        new RoundContext(1, 1, 9, IDS),
                        fleet,
                        holders,
                        4,
                        new SecureSumSettings(0, 0, 100));
        assertThat(sum.contributors()).containsExactlyElementsOf(IDS);
        // sum over i of (i + 1) * i = 40 over 15 examples
        TensorRecord mean = SecureSum.weightedMean(sum.values(), LAYOUT);
        assertThat(mean.get("w").toFloatArray())
                .usingComparatorWithPrecision(1e-5f)
                .containsExactly(40f / 15, -40f / 15, 0.5f);
        assertThat(mean.role("w")).isEqualTo(TensorRole.WEIGHTS);
        // a masked vector crossed the wire as 16-bit words, 2 per value
        assertThat(fleet.seen)
                .filteredOn(m -> m.type().name().equals("secagg.mask"))
                .allSatisfy(
                        m -> {
                            assertThat(m.tensors().role("masked")).isEqualTo(TensorRole.WORDS);
                            assertThat(m.tensors().get("masked").size()).isEqualTo(8);
                        });
    }

    @Test
    void participantsThatDropAfterSharingOrMaskingLeaveTheSumOfTheOthers() {
        LossyFleet fleet = new LossyFleet(Set.of("p1@secagg.mask", "p4@secagg.unmask"));
        SecureSum.Result sum =
                SecureSum.run(
                        new RoundContext(1, 1, 9, IDS),
                        fleet,
                        uploadSecurely(fleet),
                        4,
                        new SecureSumSettings(3, 0, 100));
        // p1 dropped before masking: its masks are removed and its input is not in the sum; p4
        // masked its input and only missed the unmasking, so it counts
        assertThat(sum.contributors()).containsExactly("p0", "p2", "p3", "p4");
        float[] values = sum.values();
        assertThat(values[3]).isCloseTo(1 + 3 + 4 + 5, org.assertj.core.data.Offset.offset(1e-4f));
        assertThat(values[0])
                .isCloseTo(0 + 6 + 12 + 20, org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void tooFewSurvivorsAbortTheRoundWithTheStageNamed() {
        LossyFleet fleet =
                new LossyFleet(Set.of("p0@secagg.share", "p1@secagg.share", "p2@secagg.share"));
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        new RoundContext(1, 1, 9, IDS),
                                        fleet,
                                        uploadSecurely(fleet),
                                        4,
                                        new SecureSumSettings(3, 0, 100)))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("SHARE_KEYS");
    }

    @Test
    void tooFewHoldersAbortTheRoundAndNoneSkipsIt() {
        LossyFleet fleet = new LossyFleet(Set.of());
        RoundContext context = new RoundContext(1, 1, 9, IDS);
        SecureSumSettings settings = new SecureSumSettings(3, 0, 100);
        assertThatThrownBy(() -> SecureSum.run(context, fleet, List.of("p0"), 4, settings))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining(
                        "ADVERTISE_KEYS: 1 participant(s) holding an input, at least 2");
        assertThatThrownBy(() -> SecureSum.run(context, fleet, List.of("p0", "p1"), 4, settings))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("2 participants in the smallest neighbourhood, at least 3");
        assertThat(SecureSum.attempt(context, fleet, List.of("p0", "p1"), 4, settings)).isEmpty();
        assertThat(SecureSum.attempt(context, fleet, List.of(), 4, settings)).isEmpty();
        assertThat(fleet.seen).as("no stage ran").isEmpty();
        assertThat(SecureSum.roundWithoutSum(List.of("p0", "p1")).values())
                .containsEntry("participants_aggregated", 0.0)
                .containsEntry("secure_aborted", 1.0);
        assertThat(SecureSum.roundWithoutSum(List.of()).values())
                .as("an empty draw did not abort")
                .containsEntry("participants_aggregated", 0.0)
                .doesNotContainKey("secure_aborted");
        // a length no round can have is a bug, not an aborted round
        assertThatThrownBy(() -> SecureSum.attempt(context, fleet, IDS, 0, settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vectorLength must be >= 1");
    }

    @Test
    void settingsNoRoundCouldMeetAreRefusedByName() {
        assertThatThrownBy(() -> new SecureSumSettings(4, 2, 1))
                .hasMessageContaining(
                        "secureThreshold 4 is more than a neighbourhood of secureNeighbours 2 holds")
                .hasMessageContaining("use at most 3");
        assertThatThrownBy(() -> new SecureSumSettings(0, 3, 1))
                .hasMessageContaining("secureNeighbours must be 0 (everyone) or an even degree");
        assertThatThrownBy(() -> new SecureSumSettings(1, 0, 1))
                .hasMessageContaining("secureThreshold must be 0 (two thirds) or >= 2");
        assertThat(new SecureSumSettings(3, 2, 1).threshold()).isEqualTo(3);
    }

    @Test
    void signedRoundsSumTheInputsOfTheSurvivorsThatSigned() {
        // p2 masks but does not sign the survivors, so it is asked for no shares, and its input
        // still counts
        LossyFleet fleet =
                new LossyFleet(
                        Set.of("p2@secagg.confirm"),
                        Optional.of(identities()),
                        Optional.of(CREDENTIALS));
        SecureSum.Result sum =
                SecureSum.run(
                        new RoundContext(1, 1, 9, IDS),
                        fleet,
                        uploadSecurely(fleet),
                        4,
                        new SecureSumSettings(0, 0, 100, true));

        assertThat(sum.contributors()).containsExactlyElementsOf(IDS);
        assertThat(sum.values()[3]).isCloseTo(1 + 2 + 3 + 4 + 5, Offset.offset(1e-4f));
        assertThat(sum.values()[0]).isCloseTo(0 + 2 + 6 + 12 + 20, Offset.offset(1e-4f));
        assertThat(fleet.seen)
                .filteredOn(m -> m.type().name().equals("secagg.unmask"))
                .extracting(Message::participantId)
                .containsExactly("p0", "p1", "p3", "p4");
        assertThat(fleet.seen)
                .filteredOn(m -> m.type().name().equals("secagg.advertise"))
                .allSatisfy(m -> assertThat(m.config().has("signature")).isTrue());
    }

    @Test
    void signedRoundsSendANeighboursCredentialOnlyToParticipantsThatHaveNotVerifiedIt() {
        LossyFleet fleet =
                new LossyFleet(Set.of(), Optional.of(identities()), Optional.of(CREDENTIALS));
        SecureSumSettings signed = new SecureSumSettings(0, 0, 100, true);
        SecureSum.Result first =
                SecureSum.run(
                        new RoundContext(1, 2, 9, IDS), fleet, uploadSecurely(fleet, 1), 4, signed);
        int sentInRound1 = fleet.sent.size();
        SecureSum.Result second =
                SecureSum.run(
                        new RoundContext(2, 2, 9, IDS), fleet, uploadSecurely(fleet, 2), 4, signed);

        List<Message> shares =
                fleet.sent.stream().filter(m -> m.type().equals(SecureSumWire.SHARE)).toList();
        assertThat(shares).hasSize(2 * IDS.size());
        // round 1: every other neighbour's keys come with its credential (its own it holds);
        // round 2: only the signatures, each participant having verified every credential in
        // round 1
        assertThat(shares.subList(0, IDS.size()))
                .allSatisfy(
                        m ->
                                assertThat(m.config().values().keySet())
                                        .filteredOn(k -> k.startsWith("credential:"))
                                        .hasSize(IDS.size() - 1)
                                        .doesNotContain("credential:" + m.participantId()));
        assertThat(shares.subList(IDS.size(), shares.size()))
                .allSatisfy(
                        m -> {
                            assertThat(m.config().values().keySet())
                                    .noneMatch(k -> k.startsWith("credential:"));
                            assertThat(m.config().values().keySet())
                                    .filteredOn(k -> k.startsWith("signature:"))
                                    .hasSize(IDS.size());
                        });
        assertThat(fleet.sent.subList(sentInRound1, fleet.sent.size()))
                .filteredOn(m -> m.type().equals(SecureSumWire.SHARE))
                .hasSize(IDS.size());
        assertThat(second.contributors()).containsExactlyElementsOf(first.contributors());
        assertThat(second.values()).containsExactly(first.values());

        // keys that come without a credential the participant has not seen are refused by name
        ConfigRecord withoutCredential =
                new ConfigRecord(
                        Map.of(
                                "encryption_key:p1", SecureSumWire.encode(new byte[32]),
                                "masking_key:p1", SecureSumWire.encode(new byte[32]),
                                "signature:p1", SecureSumWire.encode(new byte[8])));
        assertThatThrownBy(() -> SecureSumWire.allKeys(withoutCredential, 3, Map.of()))
                .hasMessage(
                        "the keys of p1 in round 3 came without its credential, and none is held"
                                + " for it");
    }

    @Test
    void aCredentialHeldFromAnEarlierRoundIsVerifiedAgainWhenItIsUsed() {
        // the participants' verifier refuses p1 from round 2 on, as a revocation list would; the
        // coordinator's does not, so it still forwards p1's keys, without the credential the
        // others hold
        Set<String> revoked = new java.util.HashSet<>();
        CredentialVerifier revoking =
                (id, credential) -> {
                    if (revoked.contains(id)) {
                        throw new IllegalArgumentException(id + "'s certificate is revoked");
                    }
                    return CREDENTIALS.verifiedKey(id, credential);
                };
        HostedIdentities withRevocation =
                new HostedIdentities(identities().identities(), revoking, true);
        LossyFleet fleet =
                new LossyFleet(
                        Set.of(), host(Optional.of(withRevocation)), Optional.of(CREDENTIALS));
        SecureSumSettings signed = new SecureSumSettings(0, 0, 100, true);
        SecureSum.run(new RoundContext(1, 2, 9, IDS), fleet, uploadSecurely(fleet, 1), 4, signed);
        revoked.add("p1");
        int sent = fleet.sent.size();

        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        new RoundContext(2, 2, 9, IDS),
                                        fleet,
                                        uploadSecurely(fleet, 2),
                                        4,
                                        signed))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("SHARE_KEYS");
        assertThat(fleet.sent.subList(sent, fleet.sent.size()))
                .filteredOn(m -> m.type().equals(SecureSumWire.SHARE))
                .allSatisfy(
                        m ->
                                assertThat(m.config().values().keySet())
                                        .noneMatch(k -> k.startsWith("credential:")));
        assertThat(fleet.seen)
                .filteredOn(m -> m.type().equals(SecureSumWire.SHARE) && m.round() == 2)
                .filteredOn(m -> !m.participantId().equals("p1"))
                .hasSize(IDS.size() - 1)
                .allSatisfy(
                        m ->
                                assertThat(m.error())
                                        .get()
                                        .asString()
                                        .contains("p1's certificate is revoked"));
    }

    @Test
    void aParticipantTakesPartInOneSignedSumPerRoundAndInLaterRoundsOnly() {
        LossyFleet fleet =
                new LossyFleet(Set.of(), Optional.of(identities()), Optional.of(CREDENTIALS));
        SecureSumSettings signed = new SecureSumSettings(0, 0, 100, true);
        SecureSum.run(new RoundContext(1, 1, 9, IDS), fleet, uploadSecurely(fleet), 4, signed);
        int seen = fleet.seen.size();

        // the same round again, with the same inputs: nobody takes part
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        new RoundContext(1, 1, 9, IDS),
                                        fleet,
                                        uploadSecurely(fleet),
                                        4,
                                        signed))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("ADVERTISE_KEYS: 0 participants advertised keys");
        assertThat(fleet.seen.get(seen + IDS.size()).error())
                .get()
                .asString()
                .contains(
                        "p0 already took part in a signed secure sum of round 1 and takes part in"
                                + " none of round 1");
    }

    @Test
    void participantsWithIdentitiesRefuseUnsignedRoundsAndSignedRoundsNeedIdentities() {
        LossyFleet withIdentities =
                new LossyFleet(Set.of(), Optional.of(identities()), Optional.of(CREDENTIALS));
        RoundContext context = new RoundContext(1, 1, 9, IDS);
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context,
                                        withIdentities,
                                        uploadSecurely(withIdentities),
                                        4,
                                        new SecureSumSettings(0, 0, 100)))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("ADVERTISE_KEYS: 0 participants advertised keys");
        assertThat(withIdentities.seen.get(IDS.size()).error())
                .get()
                .asString()
                .contains(
                        "p0 takes part in signed secure aggregation only, but round 1 is unsigned");

        LossyFleet withoutIdentities =
                new LossyFleet(Set.of(), Optional.empty(), Optional.of(CREDENTIALS));
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context,
                                        withoutIdentities,
                                        uploadSecurely(withoutIdentities),
                                        4,
                                        new SecureSumSettings(0, 0, 100, true)))
                .isInstanceOf(SecAggAbortedException.class);
        assertThat(withoutIdentities.seen.get(IDS.size()).error())
                .get()
                .asString()
                .contains("p0 has no certificate to sign secure aggregation with");

        LossyFleet noVerifier =
                new LossyFleet(Set.of(), Optional.of(identities()), Optional.empty());
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context,
                                        noVerifier,
                                        uploadSecurely(noVerifier),
                                        4,
                                        new SecureSumSettings(0, 0, 100, true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "signed secure aggregation needs participants with certificates");
    }

    @Test
    void aParticipantThatSignsOnlySendsWhatItLearnedOnlyInASecureSum() {
        ParticipantHost host = host(Optional.of(identities()));
        Message clear = Message.builder(1, TRAIN, "p2").build();
        Message secure =
                Message.builder(1, TRAIN, "p2")
                        .optConfig(ConfigRecord.of(SecureSum.WEIGHT, "examples"))
                        .build();
        Message init = Message.builder(1, INIT, "p2").build();

        assertThat(host.answer(clear, host.open(clear)).error())
                .get()
                .asString()
                .contains(
                        "p2 shares what it learned only through signed secure aggregation, and"
                                + " test.train asks for it in the clear");
        assertThat(host.answer(secure, host.open(secure)).tensors().isEmpty()).isTrue();
        assertThat(host.answer(init, host.open(init)).tensors().names()).containsExactly("w");
        // a participant that signs when asked, without that policy, answers in the clear
        HostedIdentities lenient =
                new HostedIdentities(identities().identities(), CREDENTIALS, false);
        ParticipantHost plain = host(Optional.of(lenient));
        assertThat(plain.answer(clear, plain.open(clear)).tensors().names()).containsExactly("w");
    }

    @Test
    void aParticipantTakesPartOnlyInSumsOfAtLeastItsMinimum() {
        RoundContext context = new RoundContext(1, 1, 9, IDS);
        SecureSumSettings threshold2 = new SecureSumSettings(2, 0, 100);
        // a roster of three, below the participants' minimum of four: nobody sends keys
        LossyFleet fewHolders =
                new LossyFleet(Set.of(), host(Optional.empty(), 4), Optional.empty());
        List<String> holders = uploadSecurely(fewHolders);
        int uploads = fewHolders.seen.size();
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context, fewHolders, holders.subList(0, 3), 4, threshold2))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("ADVERTISE_KEYS: 0 participants advertised keys");
        assertThat(fewHolders.seen.get(uploads).error())
                .get()
                .asString()
                .contains(
                        "p0 takes part only in secure sums of at least 4 inputs, its own"
                                + " included, but only 3 participants of its neighbourhood, itself"
                                + " included, hold an input in round 1");

        // five hold inputs, two drop before masking: the three survivors, though enough for the
        // coordinator's threshold, reveal no share, so the coordinator cannot unmask their sum
        Set<String> twoDrop = Set.of("p1@secagg.mask", "p2@secagg.mask");
        LossyFleet fewSurvivors =
                new LossyFleet(twoDrop, host(Optional.empty(), 4), Optional.empty());
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context,
                                        fewSurvivors,
                                        uploadSecurely(fewSurvivors),
                                        4,
                                        threshold2))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("UNMASKING");
        List<Message> unmaskReplies =
                fewSurvivors.seen.stream()
                        .filter(m -> m.type().name().equals("secagg.unmask"))
                        .toList();
        assertThat(unmaskReplies).hasSize(3);
        assertThat(unmaskReplies)
                .allSatisfy(
                        m ->
                                assertThat(m.error())
                                        .get()
                                        .asString()
                                        .contains(
                                                "but only 3 participants of its neighbourhood,"
                                                        + " itself included, sent a masked input in"
                                                        + " round 1"));

        // with a minimum of three the same round sums the survivors
        LossyFleet enough = new LossyFleet(twoDrop, host(Optional.empty(), 3), Optional.empty());
        assertThat(
                        SecureSum.run(context, enough, uploadSecurely(enough), 4, threshold2)
                                .contributors())
                .containsExactly("p0", "p3", "p4");
        // in SecAgg+ only the neighbourhood counts, whatever the roster holds: a coordinator could
        // name participants beyond it that do not exist
        LossyFleet sparse = new LossyFleet(Set.of(), host(Optional.empty(), 4), Optional.empty());
        List<String> all = uploadSecurely(sparse);
        int advertised = sparse.seen.size();
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context, sparse, all, 4, new SecureSumSettings(2, 2, 100)))
                .isInstanceOf(SecAggAbortedException.class);
        assertThat(sparse.seen.get(advertised).error())
                .get()
                .asString()
                .contains("but only 3 participants of its neighbourhood, itself included, hold");

        // signed: one drop leaves four survivors, enough for the raised threshold, and each
        // refuses to sign a list of fewer than its five
        LossyFleet signed =
                new LossyFleet(
                        Set.of("p1@secagg.mask"),
                        host(Optional.of(identities()), 5),
                        Optional.of(CREDENTIALS));
        assertThatThrownBy(
                        () ->
                                SecureSum.run(
                                        context,
                                        signed,
                                        uploadSecurely(signed),
                                        4,
                                        new SecureSumSettings(0, 0, 100, true)))
                .isInstanceOf(SecAggAbortedException.class)
                .hasMessageContaining("CONSISTENCY_CHECK");
        assertThat(signed.seen)
                .filteredOn(m -> m.type().name().equals("secagg.confirm"))
                .hasSize(4)
                .allSatisfy(
                        m ->
                                assertThat(m.error())
                                        .get()
                                        .asString()
                                        .contains("but only 4 participants of its neighbourhood"));
        assertThat(signed.seen).noneMatch(m -> m.type().name().equals("secagg.unmask"));

        assertThatThrownBy(() -> host(Optional.empty(), 0))
                .hasMessageContaining(
                        "the fewest contributors to a secure sum must be >= 1, got 0");
    }

    @Test
    void signedRoundsRaiseAThresholdToAboveTwoThirds() {
        assertThat(new SecureSumSettings(2, 0, 1, true).config(7, 3).threshold()).isEqualTo(5);
        assertThat(new SecureSumSettings(0, 0, 1, true).config(7, 3).threshold()).isEqualTo(5);
        assertThat(new SecureSumSettings(2, 0, 1, false).config(7, 3).threshold()).isEqualTo(2);
    }

    @Test
    void aStageWithoutAnInputIsRefusedAsAnErrorReply() {
        ParticipantHost host = host();
        Message advertise =
                Message.builder(1, MessageType.of("secagg", "advertise"), "p2")
                        .optConfig(ConfigRecord.of("roster", "p2,p3"))
                        .build();
        Message reply = host.answer(advertise, host.open(advertise));
        assertThat(reply.error()).get().asString().contains("p2 holds no input to sum securely");
    }
}
