package io.fedistill.grpc.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.identity.Signatures;
import io.fedistill.core.identity.SigningIdentity;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
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
                .isEqualTo(new CertificateAuthority.Issued("c", fingerprint, Optional.empty()));
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
    void certificatesTheAuthorityRevokesAreRefusedAndTheOthersPass(
            @TempDir Path dir, @TempDir Path elsewhere) throws Exception {
        CertificateAuthority authority = authorityOfABAndC(dir, "revoking");
        byte[] a = identityIn(dir, "a").credential();
        byte[] b = identityIn(dir, "b").credential();
        Path authorityCertificate = dir.resolve("ca.pem");
        Path list = dir.resolve(CertificateAuthority.REVOCATION_LIST);

        Map<String, BigInteger> revoked = authority.revoke(List.of("a"), Duration.ofDays(7));
        RevocationList read = RevocationList.read(list, authorityCertificate);
        assertThat(read.serialNumbers()).containsExactly(revoked.get("a"));
        CredentialVerifier verifier =
                CertificateIdentities.verifier(authorityCertificate, Optional.of(read));
        assertThatThrownBy(() -> verifier.verifiedKey("a", a))
                .hasMessage(
                        "the certificate with serial number "
                                + revoked.get("a").toString(16)
                                + " is revoked by the federation's authority");
        assertThat(verifier.verifiedKey("b", b)).isNotNull();
        // without the list the same certificate passes
        assertThat(CertificateIdentities.verifier(authorityCertificate).verifiedKey("a", a))
                .isNotNull();
        // a new key certified for the participant passes the list
        authority.issueParticipant("a", Duration.ofDays(1));
        assertThat(verifier.verifiedKey("a", identityIn(dir, "a").credential())).isNotNull();

        // a later list keeps the earlier revocations, numbered one up; renewing it adds none, and
        // revoking a listed certificate again does not list it twice
        BigInteger bSerial = authority.revoke(List.of("b"), Duration.ofDays(7)).get("b");
        assertThat(listNumber(list)).isEqualTo(2);
        assertThat(authority.revoke(List.of(), Duration.ofDays(7))).isEmpty();
        authority.revoke(List.of("b"), Duration.ofDays(7));
        assertThat(listNumber(list)).isEqualTo(4);
        assertThat(((X509CRLHolder) Pem.read(list)).getRevokedCertificates()).hasSize(2);
        assertThat(RevocationList.read(list, authorityCertificate).serialNumbers())
                .containsExactlyInAnyOrder(revoked.get("a"), bSerial);

        // a certificate replaced for a new key is revoked by its serial number, which the
        // replacement reports
        Path keys = dir.resolve("keys");
        CertificateAuthority.requestParticipant(keys, "c");
        BigInteger cSerial = Pem.certificate(dir.resolve("c.pem")).getSerialNumber();
        CertificateAuthority.Issued issued =
                authority.issueRequested(keys.resolve("c.csr"), Duration.ofDays(1), true);
        assertThat(issued.replaced()).contains(cSerial);
        assertThat(authority.revoke(List.of(), List.of(cSerial), Duration.ofDays(7))).isEmpty();
        assertThat(RevocationList.read(list, authorityCertificate).serialNumbers())
                .containsExactlyInAnyOrder(revoked.get("a"), bSerial, cSerial);

        // a list past its renewal date is refused until renewed
        authority.revoke(List.of(), Duration.ofMinutes(-1));
        assertThatThrownBy(() -> RevocationList.read(list, authorityCertificate))
                .hasMessageContaining("was due to be renewed on")
                .hasMessageContaining("fedistill certs revoke --authority DIR renews it");
        authority.revoke(List.of(), Duration.ofDays(7));
        assertThat(RevocationList.read(list, authorityCertificate).serialNumbers()).hasSize(3);

        // another authority's list, and what is no list, are refused by name
        CertificateAuthority other =
                CertificateAuthority.create(elsewhere, "other", Duration.ofDays(1));
        other.issueParticipant("a", Duration.ofDays(1));
        other.revoke(List.of("a"), Duration.ofDays(7));
        Path otherList = elsewhere.resolve(CertificateAuthority.REVOCATION_LIST);
        assertThatThrownBy(() -> RevocationList.read(otherList, authorityCertificate))
                .hasMessage(
                        "the revocation list in "
                                + otherList
                                + " is not signed by the federation's authority in "
                                + authorityCertificate);
        assertThatThrownBy(() -> RevocationList.read(authorityCertificate, authorityCertificate))
                .hasMessage(authorityCertificate + " holds no PEM certificate revocation list");

        // what the authority cannot revoke is named
        assertThatThrownBy(() -> authority.revoke(List.of("nobody"), Duration.ofDays(7)))
                .hasMessage("nobody has no certificate in " + dir);
        assertThatThrownBy(() -> authority.revoke(List.of("coordinator"), Duration.ofDays(7)))
                .hasMessageContaining("'coordinator' is reserved");
        Files.copy(elsewhere.resolve("a.pem"), dir.resolve("stranger.pem"));
        assertThatThrownBy(() -> authority.revoke(List.of("stranger"), Duration.ofDays(7)))
                .hasMessage(
                        "the certificate in "
                                + dir.resolve("stranger.pem")
                                + " was not issued by this authority");
        Files.copy(otherList, list, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> authority.revoke(List.of("c"), Duration.ofDays(7)))
                .hasMessage(list + " holds no revocation list this authority signed");
    }

    @Test
    void aListInUseFollowsItsFileAndKeepsItsEntriesWhenTheFileIsNoNewerValidList(
            @TempDir Path dir, @TempDir Path elsewhere) throws Exception {
        CertificateAuthority authority = authorityOfABAndC(dir, "following");
        Path authorityCertificate = dir.resolve("ca.pem");
        Path list = dir.resolve(CertificateAuthority.REVOCATION_LIST);
        BigInteger aSerial = authority.revoke(List.of("a"), Duration.ofDays(7)).get("a");
        byte[] firstList = Files.readAllBytes(list);
        // another authority, trusted beside this one in a bundle
        CertificateAuthority other =
                CertificateAuthority.create(elsewhere, "other", Duration.ofDays(1));
        for (int renewal = 0; renewal < 3; renewal++) {
            other.revoke(List.of(), Duration.ofDays(7));
        }
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(
                bundle,
                Files.readString(authorityCertificate)
                        + Files.readString(elsewhere.resolve("ca.pem")));
        RevocationList inUse = RevocationList.read(list, authorityCertificate);
        RevocationList inUseWithBundle = RevocationList.read(list, bundle);
        X509Certificate b = Pem.certificates(dir.resolve("b.pem")).get(0);
        X509Certificate c = Pem.certificates(dir.resolve("c.pem")).get(0);
        assertThat(inUse.refusal(b)).isEmpty();

        // revoked while the list is in use: its next check refuses b
        BigInteger bSerial = authority.revoke(List.of("b"), Duration.ofDays(7)).get("b");
        assertThat(inUse.refusal(b))
                .hasValueSatisfying(r -> assertThat(r).contains(bSerial.toString(16)));
        assertThat(inUse.serialNumbers()).containsExactlyInAnyOrder(aSerial, bSerial);
        assertThat(inUseWithBundle.refusal(b)).isPresent();
        byte[] secondList = Files.readAllBytes(list);

        // an older list, a half-written or malformed file, another authority's list (with a
        // higher number, from the bundle), one past its renewal date or no file at all leave the
        // list in force as it was
        List<Runnable> notNewerValidLists =
                List.of(
                        () -> write(list, firstList),
                        () -> write(list, "-----BEGIN X509 CRL-----\nMIIB".getBytes()),
                        () ->
                                write(
                                        list,
                                        "-----BEGIN X509 CRL-----\n@@@@\n-----END X509 CRL-----\n"
                                                .getBytes()),
                        () ->
                                write(
                                        list,
                                        read(
                                                elsewhere.resolve(
                                                        CertificateAuthority.REVOCATION_LIST))),
                        () -> {
                            write(list, secondList);
                            authority.revoke(List.of(), Duration.ofMinutes(-1));
                        },
                        () -> write(list, null));
        for (Runnable change : notNewerValidLists) {
            change.run();
            for (RevocationList followed : List.of(inUse, inUseWithBundle)) {
                assertThat(followed.serialNumbers()).containsExactlyInAnyOrder(aSerial, bSerial);
                assertThat(followed.refusal(b)).isPresent();
                assertThat(followed.refusal(c)).isEmpty();
            }
        }

        // a newer valid list after them is taken
        write(list, secondList);
        BigInteger cSerial = authority.revoke(List.of("c"), Duration.ofDays(7)).get("c");
        assertThat(inUse.refusal(c)).isPresent();
        assertThat(inUseWithBundle.refusal(c)).isPresent();
        assertThat(inUse.serialNumbers()).containsExactlyInAnyOrder(aSerial, bSerial, cSerial);
        assertThat(dir.resolve(CertificateAuthority.REVOCATION_LIST + ".partial")).doesNotExist();
    }

    /** Creates an authority in {@code dir} that has issued certificates to a, b and c. */
    private static CertificateAuthority authorityOfABAndC(Path dir, String name) {
        CertificateAuthority authority = CertificateAuthority.create(dir, name, Duration.ofDays(1));
        for (String id : List.of("a", "b", "c")) {
            authority.issueParticipant(id, Duration.ofDays(1));
        }
        return authority;
    }

    /** Replaces a file's content, or deletes it when {@code content} is null. */
    private static void write(Path file, byte[] content) {
        try {
            if (content == null) {
                Files.delete(file);
            } else {
                Files.write(file, content);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Returns the number the authority gave the revocation list in {@code file}. */
    private static int listNumber(Path file) {
        X509CRLHolder holder = (X509CRLHolder) Pem.read(file);
        return CRLNumber.getInstance(holder.getExtension(Extension.cRLNumber).getParsedValue())
                .getCRLNumber()
                .intValueExact();
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
