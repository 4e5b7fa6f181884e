package io.fedistill.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.identity.Signatures;
import io.fedistill.core.identity.SigningIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Participants' certificates as credentials of signed secure aggregation. */
class CertificateIdentitiesTest {
    @TempDir static Path ca;
    @TempDir static Path otherCa;

    @BeforeAll
    static void issue() {
        CertificateAuthority authority =
                CertificateAuthority.create(ca, "test", Duration.ofDays(1));
        authority.issueCoordinator(List.of(), Duration.ofDays(1));
        authority.issueParticipant("a", Duration.ofDays(1));
        authority.issueParticipant("b", Duration.ofDays(1));
        authority.issueParticipant("expired", Duration.ofMinutes(-1));
        CertificateAuthority.create(otherCa, "other", Duration.ofDays(1))
                .issueParticipant("a", Duration.ofDays(1));
    }

    private static SigningIdentity identityIn(Path dir, String id) {
        return CertificateIdentities.identity(
                dir.resolve(id + ".pem"), dir.resolve(id + "-key.pem"));
    }

    @Test
    void aParticipantsCertificateVerifiesItsSignatures() {
        HostedIdentities hosted = CertificateIdentities.hosted(ca, List.of("a", "b"));
        SigningIdentity a = hosted.of("a").orElseThrow();
        byte[] statement = "round 3 keys".getBytes(StandardCharsets.UTF_8);

        PublicKey key = hosted.verifier().verifiedKey("a", a.credential());

        assertThat(Signatures.verify(key, statement, a.sign(statement))).isTrue();
        assertThat(Signatures.verify(key, statement, hosted.of("b").orElseThrow().sign(statement)))
                .isFalse();
        assertThat(hosted.of("c")).isEmpty();
    }

    @Test
    void credentialsThatAreNotTheParticipantsAreRefusedWithTheReason() {
        CredentialVerifier verifier = CertificateIdentities.verifier(ca.resolve("ca.pem"));
        byte[] a = identityIn(ca, "a").credential();

        assertThatThrownBy(() -> verifier.verifiedKey("b", a))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the certificate was issued to a, not to b");
        assertThatThrownBy(() -> verifier.verifiedKey("a", identityIn(otherCa, "a").credential()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "the certificate was not issued by the federation's authority (");
        assertThatThrownBy(
                        () ->
                                verifier.verifiedKey(
                                        "expired", identityIn(ca, "expired").credential()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the certificate expired on ");
        assertThatThrownBy(() -> verifier.verifiedKey("a", new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an X.509 certificate");
        byte[] padded = Arrays.copyOf(a, a.length + 1);
        assertThatThrownBy(() -> verifier.verifiedKey("a", padded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the credential holds more than one DER-encoded certificate");
    }

    @Test
    void theAuthoritysAndTheCoordinatorsCertificatesAreNoParticipants() throws Exception {
        CredentialVerifier verifier = CertificateIdentities.verifier(ca.resolve("ca.pem"));
        byte[] authority = Pem.certificate(ca.resolve("ca.pem")).getEncoded();
        byte[] coordinator = Pem.certificate(ca.resolve("coordinator.pem")).getEncoded();

        assertThatThrownBy(() -> verifier.verifiedKey("test CA", authority))
                .hasMessage("the certificate is an authority's, not a participant's");
        assertThatThrownBy(() -> verifier.verifiedKey("fedistill coordinator", coordinator))
                .hasMessage(
                        "the certificate was not issued for a participant (client authentication)");
    }

    @Test
    void aBundleOfAuthoritiesAcceptsTheCertificatesOfEach() throws Exception {
        Path bundle =
                Files.writeString(
                        ca.resolve("bundle.pem"),
                        Files.readString(otherCa.resolve("ca.pem"))
                                + Files.readString(ca.resolve("ca.pem")));
        CredentialVerifier verifier = CertificateIdentities.verifier(bundle);

        assertThat(verifier.verifiedKey("a", identityIn(ca, "a").credential())).isNotNull();
        assertThat(verifier.verifiedKey("a", identityIn(otherCa, "a").credential())).isNotNull();
        // a participant's certificate in a bundle is no authority: what it signs is refused
        CredentialVerifier leaf = CertificateIdentities.verifier(ca.resolve("a.pem"));
        assertThatThrownBy(() -> leaf.verifiedKey("b", identityIn(ca, "b").credential()))
                .hasMessageStartingWith(
                        "the certificate was not issued by the federation's authority");
    }

    @Test
    void aParticipantsOwnKeyIsCertifiedFromItsRequest() throws Exception {
        Path participant = Files.createDirectories(otherCa.resolve("c-side"));
        String fingerprint = CertificateAuthority.requestParticipant(participant, "c");
        CertificateAuthority authority = CertificateAuthority.open(ca);

        assertThat(
                        authority.issueRequested(
                                participant.resolve("c.csr"), Duration.ofDays(1), false))
                .isEqualTo(new CertificateAuthority.Issued("c", fingerprint));
        assertThat(fingerprint).matches("([0-9a-f]{4} ){15}[0-9a-f]{4}");
        assertThat(ca.resolve("c-key.pem")).doesNotExist();
        SigningIdentity c =
                CertificateIdentities.identity(
                        ca.resolve("c.pem"), participant.resolve("c-key.pem"));
        assertThat(
                        CertificateIdentities.verifier(ca.resolve("ca.pem"))
                                .verifiedKey("c", c.credential()))
                .isNotNull();
        Path notRequest = ca.resolve("a.pem");
        assertThatThrownBy(() -> authority.issueRequested(notRequest, Duration.ofDays(1), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(notRequest + " holds no PEM certificate request");
        // a second request for c replaces its certificate only on purpose
        assertThatThrownBy(
                        () ->
                                authority.issueRequested(
                                        participant.resolve("c.csr"), Duration.ofDays(1), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "c already has a certificate in " + ca + "; replace it only on purpose");
        // the authority's own file names are no participant ids
        assertThatThrownBy(() -> CertificateAuthority.requestParticipant(participant, "ca"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "participant id 'ca' is reserved: the authority's own files are named"
                                + " after it");
        assertThatThrownBy(() -> authority.issueParticipant("coordinator", Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'coordinator' is reserved");
    }

    @Test
    void unreadableFilesAreNamed() throws Exception {
        Path notPem = Files.writeString(ca.resolve("not.pem"), "hello");

        assertThatThrownBy(() -> CertificateIdentities.verifier(notPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(notPem + " holds no PEM certificate");
        assertThatThrownBy(() -> CertificateIdentities.identity(ca.resolve("a.pem"), notPem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(notPem + " holds no PEM private key");
        assertThatThrownBy(
                        () ->
                                CertificateIdentities.identity(
                                        ca.resolve("a.pem"), ca.resolve("b-key.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the key in "
                                + ca.resolve("b-key.pem")
                                + " is not the one the certificate in "
                                + ca.resolve("a.pem")
                                + " holds");
        assertThatThrownBy(() -> CertificateIdentities.hosted(ca, List.of("zed")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read " + ca.resolve("zed.pem"));
    }
}
