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
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A federation authority's signed list of revoked certificates ({@code crl.pem}, an X.509 CRL that
 * {@link CertificateAuthority#revoke} writes): the coordinator refuses connections with a revoked
 * certificate, and coordinator and participants refuse a revoked certificate's signatures in signed
 * secure aggregation. Because the authority signs it, a participant can take it from anyone, the
 * coordinator included: a list that leaves a revocation out is an older one, which is why it also
 * carries a number that grows with each list and a date by which it must be renewed.
 *
 * <p>The list follows its file while the process runs ({@link FollowedFile}): each use checks the
 * file's identity, modification time and size, and a changed file is read and checked again, so
 * that {@code fedistill certs revoke} takes effect on a running coordinator's next call and a
 * running participant's next signature check. A changed file that is not a newer list from the same
 * authority, signed by it and still current (unreadable, half-written, deleted, signed by someone
 * else or by another authority of a bundle, numbered lower or issued earlier, or past its renewal
 * date) is logged once and ignored: the list read before stays in force.
 */
public final class RevocationList {
    private static final Logger LOG = LoggerFactory.getLogger(RevocationList.class);

    private final Path file;
    private final FollowedFile<Loaded> followed;
    private volatile Loaded warnedPastDue;

    /** A list read from the file, with its number (0 when it has none). */
    private record Loaded(X509CRL crl, BigInteger number) {}

    private RevocationList(Path file, FollowedFile<Loaded> followed) {
        this.file = file;
        this.followed = followed;
    }

    /**
     * Reads a revocation list and checks that an authority in {@code authorityCertificates} (one,
     * or a bundle) signed it and that it is not past the date by which it was to be renewed.
     *
     * @throws IllegalArgumentException naming the file when it holds no revocation list, when no
     *     authority that may sign one signed it, or when it is out of date
     */
    public static RevocationList read(Path file, Path authorityCertificates) {
        return new RevocationList(
                file,
                FollowedFile.read(
                        file,
                        "the revocation list",
                        list ->
                                "number "
                                        + list.number()
                                        + ", "
                                        + serialNumbers(list.crl()).size()
                                        + " certificates revoked",
                        f -> load(f, authorityCertificates),
                        (next, now) ->
                                olderThan(next, now)
                                        .map(
                                                why ->
                                                        "the revocation list in "
                                                                + file
                                                                + " is "
                                                                + why)));
    }

    private static Loaded load(Path file, Path authorityCertificates) {
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
        Extension number = holder.getExtension(Extension.cRLNumber);
        return new Loaded(
                crl,
                number == null
                        ? BigInteger.ZERO
                        : CRLNumber.getInstance(number.getParsedValue()).getCRLNumber());
    }

    /** Returns the list in force, warning once per list when it is past its renewal date. */
    private X509CRL current() {
        Loaded now = followed.current();
        warnIfPastDue(now);
        return now.crl();
    }

    /**
     * Says why {@code next} may not replace {@code now}, or returns empty when it may: it must come
     * from the same authority, with a number no lower and, at an equal number, not issued earlier.
     */
    private static Optional<String> olderThan(Loaded next, Loaded now) {
        if (!next.crl().getIssuerX500Principal().equals(now.crl().getIssuerX500Principal())) {
            return Optional.of(
                    "issued by "
                            + next.crl().getIssuerX500Principal().getName()
                            + ", not by "
                            + now.crl().getIssuerX500Principal().getName()
                            + " like the list read before");
        }
        int byNumber = next.number().compareTo(now.number());
        if (byNumber < 0) {
            return Optional.of(
                    "number "
                            + next.number()
                            + ", older than number "
                            + now.number()
                            + " read before");
        }
        if (byNumber == 0 && next.crl().getThisUpdate().before(now.crl().getThisUpdate())) {
            return Optional.of(
                    "number "
                            + next.number()
                            + " issued on "
                            + next.crl().getThisUpdate().toInstant()
                            + ", before the list of that number read before");
        }
        return Optional.empty();
    }

    /** Warns once per list that a list in force is past the date by which it was to be renewed. */
    private void warnIfPastDue(Loaded now) {
        Date due = now.crl().getNextUpdate();
        if (due != null && due.before(new Date()) && warnedPastDue != now) {
            warnedPastDue = now;
            LOG.warn(
                    "the revocation list in {} (number {}) was due to be renewed on {}; it stays"
                            + " in force until a newer one replaces it (fedistill certs revoke"
                            + " --authority DIR renews it)",
                    file,
                    now.number(),
                    due.toInstant());
        }
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
        X509CRL crl = current();
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
        return serialNumbers(current());
    }

    private static Set<BigInteger> serialNumbers(X509CRL crl) {
        Set<BigInteger> serials = new TreeSet<>();
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        if (entries != null) {
            entries.forEach(entry -> serials.add(entry.getSerialNumber()));
        }
        return serials;
    }
}
