package io.fedistill.grpc.security;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The coordinator's TLS: its certificate chain and key, the CA whose certificates participants
 * present (mutual TLS), if participants authenticate by certificate, and that CA's revocation list,
 * if it has one.
 *
 * @param certificateChain PEM certificate chain ({@code coordinator.pem})
 * @param privateKey PEM PKCS#8 key ({@code coordinator-key.pem})
 * @param clientCa PEM CA certificate participants' certificates must be signed by ({@code ca.pem})
 * @param revocations the client CA's revocation list ({@code crl.pem}): its certificates are
 *     refused, for connections and in signed secure aggregation
 */
public record ServerTls(
        Path certificateChain,
        Path privateKey,
        Optional<Path> clientCa,
        Optional<RevocationList> revocations) {
    /** Validates the fields. */
    public ServerTls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
        Objects.requireNonNull(revocations, "revocations");
        if (revocations.isPresent() && clientCa.isEmpty()) {
            throw new IllegalArgumentException(
                    "a revocation list applies to participants' certificates: give the client CA"
                            + " too");
        }
    }

    /** Creates the TLS without a revocation list. */
    public ServerTls(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
        this(certificateChain, privateKey, clientCa, Optional.empty());
    }
}
