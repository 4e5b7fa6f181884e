package io.fedistill.grpc.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.identity.Signatures;
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
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Signed secure aggregation's identities from a federation's certificates: a participant signs with
 * the key of its certificate ({@code <id>.pem}, {@code <id>-key.pem}) and presents the certificate
 * as its credential; a credential is accepted when the federation's authority ({@code ca.pem})
 * issued it to the participant it names, it is valid now, and the authority's revocation list, when
 * given, does not revoke it. The coordinator's copy of the authority certificate cannot pass its
 * own keys off as a participant's, since it holds no participant's private key.
 */
public final class CertificateIdentities {
    private CertificateIdentities() {}

    /**
     * Reads a participant's identity: its certificate and the private key the certificate holds.
     *
     * @throws IllegalArgumentException naming a file that cannot be read, or both files when the
     *     key is not the certificate's
     */
    public static SigningIdentity identity(Path certificate, Path privateKey) {
        X509Certificate read = Pem.certificate(certificate);
        SigningIdentity identity;
        try {
            identity = new SigningIdentity(read.getEncoded(), Pem.privateKey(privateKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot encode the certificate in " + certificate + ": " + e.getMessage(), e);
        }
        byte[] probe = "fedistill: does the key fit the certificate?".getBytes(UTF_8);
        if (!Signatures.verify(read.getPublicKey(), probe, identity.sign(probe))) {
            throw new IllegalArgumentException(
                    "the key in "
                            + privateKey
                            + " is not the one the certificate in "
                            + certificate
                            + " holds");
        }
        return identity;
    }

    /**
     * Returns the verifier that accepts certificates an authority in {@code authorityCertificates}
     * (one, or a bundle) issued.
     *
     * @throws IllegalArgumentException naming the file when it holds no certificate
     */
    public static CredentialVerifier verifier(Path authorityCertificates) {
        return verifier(authorityCertificates, Optional.empty());
    }

    /**
     * Returns the verifier that accepts certificates an authority in {@code authorityCertificates}
     * issued, unless {@code revocations} revokes them.
     *
     * @throws IllegalArgumentException naming the file when it holds no certificate
     */
    public static CredentialVerifier verifier(
            Path authorityCertificates, Optional<RevocationList> revocations) {
        return new Verifier(Pem.certificates(authorityCertificates), revocations);
    }

    /**
     * Reads the identities of the named participants from an authority's directory ({@code
     * <id>.pem} and {@code <id>-key.pem} each, and {@code ca.pem}); they take part in signed secure
     * aggregation only.
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
        return new HostedIdentities(identities, verifier(authorityDir.resolve("ca.pem")), true);
    }

    /** Accepts the participant certificates one authority issued; remembers those it checked. */
    private static final class Verifier implements CredentialVerifier {
        /** The key purpose of participant certificates (RFC 5280, id-kp-clientAuth). */
        private static final String CLIENT_AUTHENTICATION = "1.3.6.1.5.5.7.3.2";

        private final List<X509Certificate> authorities;
        private final Optional<RevocationList> revocations;
        private final Map<ByteBuffer, X509Certificate> issued = new ConcurrentHashMap<>();

        Verifier(List<X509Certificate> authorities, Optional<RevocationList> revocations) {
            this.authorities = List.copyOf(authorities);
            this.revocations = revocations;
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
            Optional<String> revoked = revocations.flatMap(list -> list.refusal(certificate));
            if (revoked.isPresent()) {
                throw new IllegalArgumentException(revoked.get());
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
                if (!Arrays.equals(certificate.getEncoded(), credential)) {
                    throw new IllegalArgumentException(
                            "the credential holds more than one DER-encoded certificate");
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("not an X.509 certificate", e);
            }
            if (authorities.stream().noneMatch(authority -> issuedBy(certificate, authority))) {
                throw new IllegalArgumentException(
                        "the certificate was not issued by the federation's authority ("
                                + authorities.get(0).getSubjectX500Principal().getName()
                                + ")");
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

        /**
         * Returns whether a valid authority that names itself the issuer signed the certificate.
         */
        private static boolean issuedBy(X509Certificate certificate, X509Certificate authority) {
            boolean[] usage = authority.getKeyUsage();
            boolean mayIssue = authority.getBasicConstraints() >= 0 && (usage == null || usage[5]);
            if (!mayIssue
                    || !certificate
                            .getIssuerX500Principal()
                            .equals(authority.getSubjectX500Principal())) {
                return false;
            }
            try {
                authority.checkValidity();
                certificate.verify(authority.getPublicKey());
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
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
