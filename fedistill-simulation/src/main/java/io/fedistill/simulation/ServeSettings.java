package io.fedistill.simulation;

import io.fedistill.grpc.security.ParticipantAuthenticator;
import io.fedistill.grpc.security.ServerTls;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * How a coordinator serves a federation whose participants join on their own over the network
 * ({@code fedistill serve}): where it listens, how long it waits for every participant, and what it
 * tells them about the federation.
 *
 * @param bindAddress the address to listen on
 * @param port the port (0: any free one, reported to {@code onListening})
 * @param minParticipants participants that must be connected before a round starts; rounds select
 *     among those connected, so participants may join and leave between rounds
 * @param joinTimeout how long to wait for them before the first round
 * @param federation the federation spec participants build their learners from (JSON)
 * @param algorithm the label of the algorithm this run executes
 * @param onListening told the port once the server listens
 * @param tls the coordinator's TLS, or null for plaintext
 * @param authenticator how participants prove who they are
 * @param plaintextBeyondLoopback whether plaintext is allowed on a non-loopback address
 */
public record ServeSettings(
        String bindAddress,
        int port,
        int minParticipants,
        Duration joinTimeout,
        String federation,
        String algorithm,
        IntConsumer onListening,
        ServerTls tls,
        ParticipantAuthenticator authenticator,
        boolean plaintextBeyondLoopback) {
    /** Validates the fields. */
    public ServeSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (minParticipants < 1) {
            throw new IllegalArgumentException(
                    "minParticipants must be >= 1, got " + minParticipants);
        }
        Objects.requireNonNull(joinTimeout, "joinTimeout");
        Objects.requireNonNull(federation, "federation");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(onListening, "onListening");
        Objects.requireNonNull(authenticator, "authenticator");
    }
}
