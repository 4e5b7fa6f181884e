package io.fedistill.grpc.security;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads the PEM files a {@link CertificateAuthority} writes: certificates and private keys. */
final class Pem {
    private Pem() {}

    /**
     * Reads the first certificate in a PEM file (a certificate, or the first of a chain).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no
     *     certificate
     */
    static X509Certificate certificate(Path file) {
        return certificates(file).get(0);
    }

    /**
     * Reads every certificate in a PEM file (a bundle of authorities, say).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no
     *     certificate
     */
    static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file);
                PEMParser pem = new PEMParser(reader)) {
            for (Object value = pem.readObject(); value != null; value = pem.readObject()) {
                if (value instanceof X509CertificateHolder holder) {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate");
        }
        return certificates;
    }

    /**
     * Reads the private key in a PEM file (PKCS#8, or a key pair).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no key
     */
    static PrivateKey privateKey(Path file) {
        Object value = read(file);
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (value instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (value instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    file + " holds no usable private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + " holds no PEM private key");
    }

    /**
     * Reads the first PEM object of a file.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    static Object read(Path file) {
        try (Reader reader = Files.newBufferedReader(file);
                PEMParser pem = new PEMParser(reader)) {
            return pem.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // BouncyCastle's decoders throw their own unchecked exceptions on a malformed body
            throw new IllegalArgumentException(file + " holds malformed PEM: " + e.getMessage(), e);
        }
    }
}
