package io.fedistill.grpc.security;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A participant's TLS: the CA it trusts the coordinator's certificate by, and its own certificate
 * and key when it authenticates by certificate (mutual TLS).
 *
 * @param trustedCa PEM CA certificate ({@code ca.pem})
 * @param certificate PEM certificate ({@code <id>.pem})
 * @param privateKey PEM PKCS#8 key ({@code <id>-key.pem})
 */
public record ClientTls(Path trustedCa, Optional<Path> certificate, Optional<Path> privateKey) {
    /** Validates the fields: a certificate comes with its key. */
    public ClientTls {
        Objects.requireNonNull(trustedCa, "trustedCa");
        if (certificate.isPresent() != privateKey.isPresent()) {
            throw new IllegalArgumentException(
                    "a certificate needs its key, and a key its certificate");
        }
    }
}
