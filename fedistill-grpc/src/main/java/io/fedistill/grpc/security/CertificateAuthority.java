package io.fedistill.grpc.security;

import io.fedistill.core.federation.ParticipantIds;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A federation's certificate authority, written as PEM files into one directory: {@code ca.pem} and
 * {@code ca-key.pem}; {@code coordinator.pem} and {@code coordinator-key.pem} for the coordinator's
 * host names; for each participant {@code <id>.pem} and {@code <id>-key.pem} (its id is the
 * certificate's common name, which the coordinator reads as its identity) and {@code <id>.token} (a
 * secret for token authentication); and {@code tokens.txt}, the coordinator's list of token
 * digests. Keys and tokens are readable by their owner only. A participant may instead make its key
 * itself and send a certificate request ({@link #requestParticipant}, {@link #issueRequested}), so
 * that the authority's holder never has its key, which signed secure aggregation needs. The
 * authority revokes a certificate by listing it in its signed revocation list {@code crl.pem}
 * ({@link #revoke}, read by {@link RevocationList}).
 */
public final class CertificateAuthority {
    /** The file name of the authority's revocation list in its directory. */
    public static final String REVOCATION_LIST = "crl.pem";

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(Path dir, X509Certificate certificate, PrivateKey key) {
        this.dir = dir;
        this.certificate = certificate;
        this.key = key;
    }

    /**
     * Creates a new authority in {@code dir}.
     *
     * @throws IllegalStateException when the directory already holds one
     */
    public static CertificateAuthority create(Path dir, String federation, Duration validity) {
        if (Files.exists(dir.resolve("ca.pem"))) {
            throw new IllegalStateException(
                    dir + " already holds a certificate authority (ca.pem); issue from it instead");
        }
        try {
            Files.createDirectories(dir);
            KeyPair pair = newKeyPair();
            X500Name name = new X500Name("CN=" + federation + " CA,O=fedistill");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(validity)),
                            name,
                            pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate certificate = sign(builder, pair.getPrivate());
            writePem(dir.resolve("ca.pem"), certificate, false);
            writePem(dir.resolve("ca-key.pem"), pair.getPrivate(), true);
            return new CertificateAuthority(dir, certificate, pair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the authority into " + dir, e);
        }
    }

    /**
     * Opens the authority {@link #create} wrote into {@code dir}.
     *
     * @throws IllegalStateException when its files cannot be read
     */
    public static CertificateAuthority open(Path dir) {
        try {
            return new CertificateAuthority(
                    dir,
                    Pem.certificate(dir.resolve("ca.pem")),
                    Pem.privateKey(dir.resolve("ca-key.pem")));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot read the authority in "
                            + dir
                            + " (ca.pem, ca-key.pem): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Issues the coordinator's certificate for the given host names and addresses ({@code
     * localhost} and {@code 127.0.0.1} are always included).
     */
    public void issueCoordinator(List<String> hosts, Duration validity) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        hosts.stream().filter(h -> !names.contains(h)).forEach(names::add);
        issue(
                "coordinator",
                "fedistill coordinator",
                names,
                KeyPurposeId.id_kp_serverAuth,
                validity);
    }

    /**
     * Issues a participant's certificate (its id as common name) and token.
     *
     * @throws IllegalArgumentException when the id is not 1-64 letters, digits, '.', '_' or '-'
     */
    public void issueParticipant(String participantId, Duration validity) {
        requireParticipantId(participantId, "participant id");
        issue(participantId, participantId, List.of(), KeyPurposeId.id_kp_clientAuth, validity);
        String token = HexFormat.of().formatHex(randomBytes(32));
        try {
            writeSecret(dir.resolve(participantId + ".token"), token + "\n");
            Map<String, String> digests = TokenFile.read(dir.resolve(TokenFile.NAME));
            digests.put(participantId, TokenFile.digest(token));
            TokenFile.write(dir.resolve(TokenFile.NAME), digests);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token of " + participantId, e);
        }
    }

    /**
     * Makes a participant's key where the participant is, and a certificate request for it, so that
     * nobody else ever holds the key: writes {@code <id>-key.pem} (readable by its owner only) and
     * {@code <id>.csr} into {@code dir}, for an authority to {@link #issueRequested}.
     *
     * @return the key's {@link #fingerprint}, for the authority to compare through another channel
     * @throws IllegalArgumentException when the id is not 1-64 letters, digits, '.', '_' or '-', or
     *     is reserved
     */
    public static String requestParticipant(Path dir, String participantId) {
        requireParticipantId(participantId, "participant id");
        try {
            Files.createDirectories(dir);
            KeyPair pair = newKeyPair();
            PKCS10CertificationRequest request =
                    new JcaPKCS10CertificationRequestBuilder(
                                    new X500Name("CN=" + participantId + ",O=fedistill"),
                                    pair.getPublic())
                            .build(new JcaContentSignerBuilder(SIGNATURE).build(pair.getPrivate()));
            writePem(dir.resolve(participantId + "-key.pem"), pair.getPrivate(), true);
            writePem(dir.resolve(participantId + ".csr"), request, false);
            return fingerprint(pair.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the request of " + participantId, e);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate request", e);
        }
    }

    /**
     * Issues a participant's certificate for the key in its request ({@link #requestParticipant}):
     * checks the request's signature, its key and the id it names, and writes {@code <id>.pem} into
     * this authority's directory; the authority never sees the participant's private key. Nothing
     * in a request proves who sent it: compare its key's fingerprint with the one the participant
     * was shown ({@link #requestParticipant}) through another channel.
     *
     * @param replace whether to replace a certificate already issued for the id
     * @return the participant id the certificate was issued to, and the key's fingerprint
     * @throws IllegalArgumentException when the file holds no request, its signature does not
     *     verify, its key is neither EC nor RSA, it names no valid participant id or a reserved
     *     one, or the id has a certificate and {@code replace} is false
     */
    public Issued issueRequested(Path requestFile, Duration validity, boolean replace) {
        Object read = Pem.read(requestFile);
        if (!(read instanceof PKCS10CertificationRequest request)) {
            throw new IllegalArgumentException(requestFile + " holds no PEM certificate request");
        }
        PublicKey publicKey;
        try {
            JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(request);
            publicKey = jca.getPublicKey();
            if (!jca.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
                throw new IllegalArgumentException(
                        "the request in "
                                + requestFile
                                + " is not signed by the key it asks a certificate for");
            }
        } catch (GeneralSecurityException
                | org.bouncycastle.operator.OperatorCreationException
                | org.bouncycastle.pkcs.PKCSException e) {
            throw new IllegalArgumentException(
                    "cannot check the request in " + requestFile + ": " + e.getMessage(), e);
        }
        RDN[] names = request.getSubject().getRDNs(BCStyle.CN);
        String participantId =
                names.length == 0 ? "" : IETFUtils.valueToString(names[0].getFirst().getValue());
        requireParticipantId(
                participantId, "the participant id the request in " + requestFile + " names");
        if (!publicKey.getAlgorithm().equals("EC") && !publicKey.getAlgorithm().equals("RSA")) {
            throw new IllegalArgumentException(
                    "the request in "
                            + requestFile
                            + " is for a "
                            + publicKey.getAlgorithm()
                            + " key; only EC and RSA keys are certified");
        }
        Path existing = dir.resolve(participantId + ".pem");
        if (!replace && Files.exists(existing)) {
            throw new IllegalArgumentException(
                    participantId
                            + " already has a certificate in "
                            + dir
                            + "; replace it only on purpose");
        }
        Optional<BigInteger> replaced =
                Files.exists(existing)
                        ? Optional.of(Pem.certificate(existing).getSerialNumber())
                        : Optional.empty();
        certify(
                participantId,
                participantId,
                publicKey,
                List.of(),
                KeyPurposeId.id_kp_clientAuth,
                validity);
        return new Issued(participantId, fingerprint(publicKey), replaced);
    }

    /**
     * Revokes the named participants' current certificates ({@code <id>.pem} in this authority's
     * directory) and writes the authority's signed revocation list ({@link #REVOCATION_LIST}) anew:
     * the certificates it listed before and these, to be renewed within {@code renewWithin}. With
     * no ids it only renews the list. A participant whose key was lost or stolen is revoked, then
     * issued a certificate for a new key ({@link #issueRequested} with {@code replace}).
     *
     * @return the revoked certificates' serial numbers, by participant id
     * @throws IllegalArgumentException naming an id that is not a participant's or has no
     *     certificate here, a certificate this authority did not issue, or a list in the directory
     *     that it did not sign
     */
    public Map<String, BigInteger> revoke(List<String> participantIds, Duration renewWithin) {
        return revoke(participantIds, List.of(), renewWithin);
    }

    /**
     * Revokes as {@link #revoke(List, Duration)} does, and the certificates with the given serial
     * numbers as well: one this authority issued before replacing it ({@link Issued#replaced}).
     * Certificates the list already holds are not listed twice.
     *
     * @return the revoked certificates' serial numbers, by participant id (the serial numbers given
     *     are not among them)
     * @throws IllegalArgumentException as {@link #revoke(List, Duration)} does
     */
    public Map<String, BigInteger> revoke(
            List<String> participantIds, List<BigInteger> serialNumbers, Duration renewWithin) {
        Map<String, BigInteger> revoked = new LinkedHashMap<>();
        for (String id : participantIds) {
            requireParticipantId(id, "participant id");
            Path file = dir.resolve(id + ".pem");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(id + " has no certificate in " + dir);
            }
            X509Certificate issued = Pem.certificate(file);
            try {
                issued.verify(certificate.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(
                        "the certificate in " + file + " was not issued by this authority", e);
            }
            revoked.put(id, issued.getSerialNumber());
        }
        Instant now = Instant.now();
        X509v2CRLBuilder builder =
                new JcaX509v2CRLBuilder(certificate.getSubjectX500Principal(), Date.from(now));
        builder.setNextUpdate(Date.from(now.plus(renewWithin)));
        BigInteger number = BigInteger.ONE;
        Set<BigInteger> listed = new HashSet<>();
        Path listFile = dir.resolve(REVOCATION_LIST);
        try {
            if (Files.exists(listFile)) {
                Object read = Pem.read(listFile);
                if (!(read instanceof X509CRLHolder previous)
                        || !previous.isSignatureValid(
                                new JcaContentVerifierProviderBuilder()
                                        .build(certificate.getPublicKey()))) {
                    throw new IllegalArgumentException(
                            listFile + " holds no revocation list this authority signed");
                }
                builder.addCRL(previous);
                for (Object entry : previous.getRevokedCertificates()) {
                    listed.add(((X509CRLEntryHolder) entry).getSerialNumber());
                }
                Extension previousNumber = previous.getExtension(Extension.cRLNumber);
                if (previousNumber != null) {
                    number =
                            CRLNumber.getInstance(previousNumber.getParsedValue())
                                    .getCRLNumber()
                                    .add(BigInteger.ONE);
                }
            }
            List<BigInteger> newlyRevoked = new ArrayList<>(revoked.values());
            newlyRevoked.addAll(serialNumbers);
            for (BigInteger serial : newlyRevoked) {
                if (listed.add(serial)) {
                    builder.addCRLEntry(serial, Date.from(now), CRLReason.unspecified);
                }
            }
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            X509CRL list =
                    new JcaX509CRLConverter()
                            .getCRL(
                                    builder.build(
                                            new JcaContentSignerBuilder(SIGNATURE).build(key)));
            writePem(listFile, list, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + listFile, e);
        } catch (GeneralSecurityException
                | org.bouncycastle.operator.OperatorCreationException
                | org.bouncycastle.cert.CertException e) {
            throw new IllegalStateException("cannot sign the revocation list", e);
        }
        return revoked;
    }

    /**
     * What {@link #issueRequested} issued.
     *
     * @param participantId whom the certificate names
     * @param keyFingerprint the certified key's {@link #fingerprint}
     * @param replaced the serial number of the certificate it replaced, if any: still valid until
     *     it expires, unless revoked ({@link #revoke(List, List, Duration)})
     */
    public record Issued(
            String participantId, String keyFingerprint, Optional<BigInteger> replaced) {}

    /** Returns the SHA-256 of a public key's encoding, in hex groups of four, to read aloud. */
    public static String fingerprint(PublicKey key) {
        try {
            String hex =
                    HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
            return String.join(" ", hex.split("(?<=\\G.{4})"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * Refuses an id that is not a valid participant id, or that names one of the authority's own
     * files ({@code ca}, {@code coordinator}), which a participant's certificate would replace.
     */
    private static void requireParticipantId(String participantId, String what) {
        ParticipantIds.require(participantId, what);
        if (participantId.equals("ca") || participantId.equals("coordinator")) {
            throw new IllegalArgumentException(
                    what
                            + " '"
                            + participantId
                            + "' is reserved: the authority's own files are named after it");
        }
    }

    private void issue(
            String file,
            String commonName,
            List<String> hosts,
            KeyPurposeId purpose,
            Duration validity) {
        KeyPair pair = newKeyPair();
        certify(file, commonName, pair.getPublic(), hosts, purpose, validity);
        try {
            writePem(dir.resolve(file + "-key.pem"), pair.getPrivate(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key of " + file, e);
        }
    }

    /** Writes {@code <file>.pem}: a certificate for the public key, signed by this authority. */
    private void certify(
            String file,
            String commonName,
            PublicKey publicKey,
            List<String> hosts,
            KeyPurposeId purpose,
            Duration validity) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(validity)),
                            new X500Name("CN=" + commonName + ",O=fedistill"),
                            publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (!hosts.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String host : hosts) {
                    names.add(
                            isAddress(host)
                                    ? new GeneralName(GeneralName.iPAddress, host)
                                    : new GeneralName(GeneralName.dNSName, host));
                }
                builder.addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            X509Certificate issued = sign(builder, key);
            writePem(dir.resolve(file + ".pem"), issued, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate of " + file, e);
        }
    }

    private static boolean isAddress(String host) {
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+") || !(host.contains(".") || host.contains(":"))) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC keys", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(1, randomBytes(16));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey signer) {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }

    private static void writePem(Path file, Object value, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(
                    value instanceof PrivateKey privateKey
                            ? new JcaPKCS8Generator(privateKey, null)
                            : value);
        }
        if (secret) {
            writeSecret(file, text.toString());
        } else {
            // whole or not at all: a running coordinator or participant may be reading the
            // revocation list as it is renewed
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try {
                Files.writeString(partial, text.toString());
                try {
                    Files.move(
                            partial,
                            file,
                            StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(partial);
            }
        }
    }

    /** Writes a file only its owner can read (where the file system has POSIX permissions). */
    static void writeSecret(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(content);
        }
    }

    /** The coordinator's list of participant token digests, {@code tokens.txt}. */
    public static final class TokenFile {
        /** The file's name in an authority directory. */
        public static final String NAME = "tokens.txt";

        private TokenFile() {}

        /** Returns the SHA-256 digest of a token, as hex: what the coordinator keeps. */
        public static String digest(String token) {
            try {
                return HexFormat.of()
                        .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                        .digest(token.strip().getBytes(StandardCharsets.UTF_8)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }

        /**
         * Reads {@code participant-id sha256-hex} lines ({@code #} comments allowed); a missing
         * file is empty.
         *
         * @throws IllegalArgumentException naming the line that is not such a pair
         */
        public static Map<String, String> read(Path file) throws IOException {
            Map<String, String> digests = new LinkedHashMap<>();
            if (!Files.exists(file)) {
                return digests;
            }
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                if (parts.length != 2 || !parts[1].matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException(
                            file + " line " + (i + 1) + " is not 'participant-id sha256-hex'");
                }
                digests.put(parts[0], parts[1]);
            }
            return digests;
        }

        static void write(Path file, Map<String, String> digests) throws IOException {
            StringBuilder text =
                    new StringBuilder(
                            "# participant id, SHA-256 of its token (fedistill certs); the tokens"
                                    + " themselves stay with the participants\n");
            digests.forEach(
                    (id, digest) -> text.append(id).append(' ').append(digest).append('\n'));
            writeSecret(file, text.toString());
        }
    }
}
