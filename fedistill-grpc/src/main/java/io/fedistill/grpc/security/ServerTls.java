package io.fedistill.grpc.security;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The coordinator's TLS: its certificate chain and key, and the CA whose certificates participants
 * present (mutual TLS), if participants authenticate by certificate.
 *
 * @param certificateChain PEM certificate chain ({@code coordinator.pem})
 * @param privateKey PEM PKCS#8 key ({@code coordinator-key.pem})
 * @param clientCa PEM CA certificate participants' certificates must be signed by ({@code ca.pem})
 */
public record ServerTls(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
    /** Validates the fields. */
    public ServerTls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
    }
}
