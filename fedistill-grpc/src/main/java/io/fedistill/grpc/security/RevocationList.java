package io.fedistill.grpc.security;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;

/**
 * A federation authority's signed list of revoked certificates ({@code crl.pem}, an X.509 CRL that
 * {@link CertificateAuthority#revoke} writes): the coordinator refuses connections with a revoked
 * certificate, and coordinator and participants refuse a revoked certificate's signatures in signed
 * secure aggregation. Because the authority signs it, a participant can take it from anyone, the
 * coordinator included: a list that leaves a revocation out is an older one, which is why it also
 * carries a date by which it must be renewed.
 */
public final class RevocationList {
    private final X509CRL crl;

    private RevocationList(X509CRL crl) {
        this.crl = crl;
    }

    /**
     * Reads a revocation list and checks that an authority in {@code authorityCertificates} (one,
     * or a bundle) signed it and that it is not past the date by which it was to be renewed.
     *
     * @throws IllegalArgumentException naming the file when it holds no revocation list, when no
     *     authority that may sign one signed it, or when it is out of date
     */
    public static RevocationList read(Path file, Path authorityCertificates) {
        Object read = Pem.read(file);
        if (!(read instanceof X509CRLHolder holder)) {
            throw new IllegalArgumentException(file + " holds no PEM certificate revocation list");
        }
        X509CRL crl;
        try {
            crl = new JcaX509CRLConverter().getCRL(holder);
        } catch (java.security.cert.CRLException e) {
            throw new IllegalArgumentException(
                    file + " holds a malformed revocation list: " + e.getMessage(), e);
        }
        List<X509Certificate> authorities = Pem.certificates(authorityCertificates);
        if (authorities.stream().noneMatch(authority -> signedBy(crl, authority))) {
            throw new IllegalArgumentException(
                    "the revocation list in "
                            + file
                            + " is not signed by the federation's authority in "
                            + authorityCertificates);
        }
        Date due = crl.getNextUpdate();
        if (due != null && due.before(new Date())) {
            throw new IllegalArgumentException(
                    "the revocation list in "
                            + file
                            + " was due to be renewed on "
                            + due.toInstant()
                            + "; get a current one (fedistill certs revoke --authority DIR"
                            + " renews it)");
        }
        return new RevocationList(crl);
    }

    /**
     * Reads the list in {@code file} as {@link #read(Path, Path)} does, or returns empty when no
     * file is given.
     */
    public static Optional<RevocationList> read(Optional<Path> file, Path authorityCertificates) {
        return file.map(crl -> read(crl, authorityCertificates));
    }

    /** Returns whether a valid authority that may sign revocation lists signed this one. */
    private static boolean signedBy(X509CRL crl, X509Certificate authority) {
        boolean[] usage = authority.getKeyUsage();
        if (authority.getBasicConstraints() < 0
                || (usage != null && !usage[6])
                || !crl.getIssuerX500Principal().equals(authority.getSubjectX500Principal())) {
            return false;
        }
        try {
            authority.checkValidity();
            crl.verify(authority.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Returns why the certificate may not be used, naming its serial number, or empty when this
     * list does not revoke it.
     */
    public Optional<String> refusal(X509Certificate certificate) {
        if (!crl.getIssuerX500Principal().equals(certificate.getIssuerX500Principal())
                || !crl.isRevoked(certificate)) {
            return Optional.empty();
        }
        return Optional.of(
                "the certificate with serial number "
                        + certificate.getSerialNumber().toString(16)
                        + " is revoked by the federation's authority");
    }

    /** Returns the serial numbers this list revokes, in increasing order. */
    public Set<BigInteger> serialNumbers() {
        Set<BigInteger> serials = new TreeSet<>();
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        if (entries != null) {
            entries.forEach(entry -> serials.add(entry.getSerialNumber()));
        }
        return serials;
    }
}
