package io.fedistill.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.grpc.coordinator.GrpcFleet;
import io.fedistill.grpc.participant.ParticipantAgent;
import io.fedistill.grpc.security.CertificateAuthority;
import io.fedistill.grpc.security.CertificateIdentities;
import io.fedistill.grpc.security.ClientTls;
import io.fedistill.grpc.security.ParticipantAuthenticator;
import io.fedistill.grpc.security.RevocationList;
import io.fedistill.grpc.security.RevokedParticipants;
import io.fedistill.grpc.security.ServerTls;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS, tokens and revocation between the coordinator's fleet and participant agents. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecureFleetTest {
    private static final long SEED = 7;
    @TempDir static Path ca;
    @TempDir static Path otherCa;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeAuthorities() {
        CertificateAuthority authority =
                CertificateAuthority.create(ca, "test", Duration.ofDays(1));
        authority.issueCoordinator(List.of("coordinator.example.org"), Duration.ofDays(1));
        authority.issueParticipant("a", Duration.ofDays(1));
        authority.issueParticipant("b", Duration.ofDays(1));
        CertificateAuthority stranger =
                CertificateAuthority.create(otherCa, "other", Duration.ofDays(1));
        stranger.issueParticipant("a", Duration.ofDays(1));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private GrpcFleet fleet(ParticipantAuthenticator authenticator, boolean clientCa) {
        return fleet(authenticator, clientCa, Optional.empty());
    }

    private GrpcFleet fleet(
            ParticipantAuthenticator authenticator,
            boolean clientCa,
            Optional<RevocationList> revocations) {
        GrpcFleet fleet =
                GrpcFleet.builder()
                        .setParticipantIds(List.of("a", "b"))
                        .optRunSeed(SEED)
                        .optHeartbeatInterval(Duration.ofMillis(200))
                        .optSecurity(
                                new ServerTls(
                                        ca.resolve("coordinator.pem"),
                                        ca.resolve("coordinator-key.pem"),
                                        clientCa
                                                ? Optional.of(ca.resolve("ca.pem"))
                                                : Optional.empty(),
                                        revocations),
                                authenticator)
                        .build();
        open.add(fleet);
        return fleet;
    }

    private ParticipantAgent agent(
            GrpcFleet fleet, String id, Path certificates, String certificateOf, String token) {
        ParticipantAgent.Builder builder =
                ParticipantAgent.builder()
                        .setHost(
                                new ParticipantHost(
                                        Map.of(id, GrpcFleetTest.counting(0)),
                                        new StateStore(Codec.fp32()),
                                        SEED,
                                        FailureInjection.none()))
                        .setCoordinator("localhost:" + fleet.port())
                        .optRunSeed(SEED)
                        .optFirstContactTimeout(Duration.ofSeconds(3))
                        .optTls(
                                new ClientTls(
                                        ca.resolve("ca.pem"),
                                        Optional.ofNullable(certificateOf)
                                                .map(c -> certificates.resolve(c + ".pem")),
                                        Optional.ofNullable(certificateOf)
                                                .map(c -> certificates.resolve(c + "-key.pem"))))
                        .optToken(token);
        ParticipantAgent agent = builder.build().start();
        open.add(agent);
        return agent;
    }

    @Test
    void mutualTlsAdmitsEachParticipantAsItselfOnly() throws Exception {
        GrpcFleet fleet = fleet(ParticipantAuthenticator.of(true, Map.of(), Set.of()), true);
        agent(fleet, "a", ca, "a", null);
        assertThat(fleet.awaitOnline(1, Duration.ofSeconds(10))).isTrue();
        assertThat(fleet.deliver(GrpcFleetTest.tasks(1, 2, "a"), Duration.ofSeconds(10)).replies())
                .hasSize(1);

        ParticipantAgent impostor = agent(fleet, "b", ca, "a", null);
        assertThatThrownBy(() -> impostor.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("the credential of a may not act for participant 'b'");
        ParticipantAgent foreign = agent(fleet, "b", otherCa, "a", null);
        assertThatThrownBy(() -> foreign.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("cannot reach the coordinator");
        ParticipantAgent anonymous = agent(fleet, "b", ca, null, null);
        assertThatThrownBy(() -> anonymous.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("cannot reach the coordinator");
        assertThat(fleet.online()).containsExactly("a");
    }

    @Test
    void tokensAuthenticateAndRevokedParticipantsAreRefused(@TempDir Path dir) throws Exception {
        Map<String, String> digests =
                CertificateAuthority.TokenFile.read(
                        ca.resolve(CertificateAuthority.TokenFile.NAME));
        assertThat(digests).containsOnlyKeys("a", "b");
        Path revokedIds = Files.writeString(dir.resolve("revoked.txt"), "# refused\nb\n");
        GrpcFleet fleet =
                fleet(
                        ParticipantAuthenticator.of(
                                false,
                                digests,
                                RevokedParticipants.read(revokedIds),
                                Optional.empty()),
                        false);
        String tokenA = Files.readString(ca.resolve("a.token"));
        String tokenB = Files.readString(ca.resolve("b.token"));
        ParticipantAgent online = agent(fleet, "a", ca, null, tokenA);
        assertThat(fleet.awaitOnline(1, Duration.ofSeconds(10))).isTrue();

        ParticipantAgent wrong = agent(fleet, "b", ca, null, "not-a-token");
        assertThatThrownBy(() -> wrong.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("no valid participant credential")
                .hasMessageNotContaining("not-a-token");
        ParticipantAgent revoked = agent(fleet, "b", ca, null, tokenB);
        assertThatThrownBy(() -> revoked.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("participant 'b' is revoked");
        assertThat(fleet.online()).containsExactly("a");
        // an id added to the file while its participant is online: its connection is closed
        Files.writeString(revokedIds, "a\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> online.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("participant 'a' is revoked");
        // keys and tokens are readable by their owner only
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(ca.resolve("a.token"))))
                .isEqualTo("rw-------");
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(ca.resolve("a-key.pem"))))
                .isEqualTo("rw-------");
    }

    @Test
    void certificatesOnTheAuthoritysRevocationListAreRefused() throws Exception {
        // the other tests read no revocation list, so b's certificate stays valid for them
        BigInteger serial =
                CertificateAuthority.open(ca).revoke(List.of("b"), Duration.ofDays(1)).get("b");
        Optional<RevocationList> revocations =
                Optional.of(
                        RevocationList.read(
                                ca.resolve(CertificateAuthority.REVOCATION_LIST),
                                ca.resolve("ca.pem")));
        GrpcFleet fleet =
                fleet(
                        ParticipantAuthenticator.of(
                                true, Map.of(), RevokedParticipants.none(), revocations),
                        true,
                        revocations);
        ParticipantAgent online = agent(fleet, "a", ca, "a", null);
        assertThat(fleet.awaitOnline(1, Duration.ofSeconds(10))).isTrue();
        ParticipantAgent revoked = agent(fleet, "b", ca, "b", null);
        assertThatThrownBy(() -> revoked.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining(
                        "the certificate with serial number "
                                + serial.toString(16)
                                + " is revoked by the federation's authority");
        assertThat(fleet.online()).containsExactly("a");
        // nor may the revoked certificate sign in signed secure aggregation
        byte[] credential =
                CertificateIdentities.identity(ca.resolve("b.pem"), ca.resolve("b-key.pem"))
                        .credential();
        assertThatThrownBy(
                        () -> fleet.credentialVerifier().orElseThrow().verifiedKey("b", credential))
                .hasMessageContaining("is revoked by the federation's authority");
        assertThatThrownBy(
                        () ->
                                ParticipantAuthenticator.of(
                                        false,
                                        Map.of("a", "digest"),
                                        RevokedParticipants.none(),
                                        revocations))
                .hasMessageContaining("a revocation list applies to certificates");

        // revoked while online (the authority renews the list the coordinator reads): a's next
        // call is refused, and so are its signatures
        BigInteger aSerial =
                CertificateAuthority.open(ca).revoke(List.of("a"), Duration.ofDays(1)).get("a");
        assertThatThrownBy(() -> online.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining(
                        "the certificate with serial number "
                                + aSerial.toString(16)
                                + " is revoked by the federation's authority");
        byte[] aCredential =
                CertificateIdentities.identity(ca.resolve("a.pem"), ca.resolve("a-key.pem"))
                        .credential();
        assertThatThrownBy(
                        () ->
                                fleet.credentialVerifier()
                                        .orElseThrow()
                                        .verifiedKey("a", aCredential))
                .hasMessageContaining("is revoked by the federation's authority");
    }

    @Test
    void anAddressBeyondLoopbackNeedsTlsAndAuthentication() {
        assertThatThrownBy(
                        () ->
                                GrpcFleet.builder()
                                        .setParticipantIds(List.of("a"))
                                        .optListen("0.0.0.0", 0)
                                        .build())
                .hasMessageContaining("needs TLS");
        assertThatThrownBy(
                        () ->
                                GrpcFleet.builder()
                                        .setParticipantIds(List.of("a"))
                                        .optListen("0.0.0.0", 0)
                                        .optSecurity(
                                                new ServerTls(
                                                        ca.resolve("coordinator.pem"),
                                                        ca.resolve("coordinator-key.pem"),
                                                        Optional.empty()),
                                                ParticipantAuthenticator.anyone())
                                        .build())
                .hasMessageContaining("needs participants to authenticate");
    }
}
