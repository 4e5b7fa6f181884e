package io.fedistill.grpc.security;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.identity.SigningIdentity;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Signed secure aggregation's identities from a federation's certificates: a participant signs with
 * the key of its certificate ({@code <id>.pem}, {@code <id>-key.pem}) and presents the certificate
 * as its credential; a credential is accepted when the federation's authority ({@code ca.pem})
 * issued it to the participant it names and it is valid now. The coordinator's copy of the
 * authority certificate cannot pass its own keys off as a participant's, since it holds no
 * participant's private key.
 */
public final class CertificateIdentities {
    private CertificateIdentities() {}

    /**
     * Reads a participant's identity: its certificate and the private key the certificate holds.
     *
     * @throws IllegalArgumentException naming a file that cannot be read
     */
    public static SigningIdentity identity(Path certificate, Path privateKey) {
        try {
            return new SigningIdentity(
                    Pem.certificate(certificate).getEncoded(), Pem.privateKey(privateKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot encode the certificate in " + certificate + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the verifier that accepts certificates the authority in {@code authorityCertificate}
     * issued.
     *
     * @throws IllegalArgumentException naming the file when it holds no certificate
     */
    public static CredentialVerifier verifier(Path authorityCertificate) {
        return new Verifier(Pem.certificate(authorityCertificate));
    }

    /**
     * Reads the identities of the named participants from an authority's directory ({@code
     * <id>.pem} and {@code <id>-key.pem} each, and {@code ca.pem}).
     *
     * @throws IllegalArgumentException naming a file that cannot be read
     */
    public static HostedIdentities hosted(Path authorityDir, Collection<String> participantIds) {
        Map<String, SigningIdentity> identities = new LinkedHashMap<>();
        for (String id : participantIds) {
            identities.put(
                    id,
                    identity(
                            authorityDir.resolve(id + ".pem"),
                            authorityDir.resolve(id + "-key.pem")));
        }
        return new HostedIdentities(identities, verifier(authorityDir.resolve("ca.pem")));
    }

    /** Accepts the participant certificates one authority issued; remembers those it checked. */
    private static final class Verifier implements CredentialVerifier {
        /** The key purpose of participant certificates (RFC 5280, id-kp-clientAuth). */
        private static final String CLIENT_AUTHENTICATION = "1.3.6.1.5.5.7.3.2";

        private final X509Certificate authority;
        private final Map<ByteBuffer, X509Certificate> issued = new ConcurrentHashMap<>();

        Verifier(X509Certificate authority) {
            this.authority = authority;
        }

        @Override
        public PublicKey verifiedKey(String participantId, byte[] credential) {
            X509Certificate certificate =
                    issued.computeIfAbsent(
                            ByteBuffer.wrap(credential.clone()), key -> checkIssued(credential));
            try {
                certificate.checkValidity();
            } catch (CertificateExpiredException e) {
                throw new IllegalArgumentException(
                        "the certificate expired on " + certificate.getNotAfter(), e);
            } catch (CertificateNotYetValidException e) {
                throw new IllegalArgumentException(
                        "the certificate is not valid before " + certificate.getNotBefore(), e);
            }
            String name = commonName(certificate);
            if (!participantId.equals(name)) {
                throw new IllegalArgumentException(
                        "the certificate was issued to " + name + ", not to " + participantId);
            }
            return certificate.getPublicKey();
        }

        private X509Certificate checkIssued(byte[] credential) {
            X509Certificate certificate;
            try {
                certificate =
                        (X509Certificate)
                                CertificateFactory.getInstance("X.509")
                                        .generateCertificate(new ByteArrayInputStream(credential));
            } catch (GeneralSecurityException | ClassCastException e) {
                throw new IllegalArgumentException("not an X.509 certificate", e);
            }
            try {
                certificate.verify(authority.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(
                        "the certificate was not issued by the federation's authority ("
                                + authority.getSubjectX500Principal().getName()
                                + ")",
                        e);
            }
            if (certificate.getBasicConstraints() != -1) {
                throw new IllegalArgumentException(
                        "the certificate is an authority's, not a participant's");
            }
            boolean[] usage = certificate.getKeyUsage();
            if (usage != null && !usage[0]) {
                throw new IllegalArgumentException(
                        "the certificate's key may not make digital signatures");
            }
            List<String> purposes;
            try {
                purposes = certificate.getExtendedKeyUsage();
            } catch (CertificateParsingException e) {
                throw new IllegalArgumentException(
                        "the certificate's key purposes are malformed", e);
            }
            if (purposes != null && !purposes.contains(CLIENT_AUTHENTICATION)) {
                throw new IllegalArgumentException(
                        "the certificate was not issued for a participant (client authentication)");
            }
            return certificate;
        }

        private static String commonName(X509Certificate certificate) {
            RDN[] names =
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded())
                            .getRDNs(BCStyle.CN);
            return names.length == 0
                    ? "nobody (no common name)"
                    : IETFUtils.valueToString(names[0].getFirst().getValue());
        }
    }
}
