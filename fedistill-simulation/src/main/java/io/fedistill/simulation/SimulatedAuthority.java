package io.fedistill.simulation;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.grpc.security.CertificateAuthority;
import io.fedistill.grpc.security.CertificateIdentities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The certificate authority a simulation whose secure sums are signed makes for its participants,
 * as a deployment's authority would ({@code fedistill certs}): a temporary directory holding {@code
 * ca.pem} and each participant's certificate and key, from which the participants' hosts (in this
 * process or in worker processes) read their identities. It is deleted when the run ends. The
 * secure-aggregation benchmark uses it the same way.
 */
public final class SimulatedAuthority implements AutoCloseable {
    private static final Duration VALIDITY = Duration.ofDays(30);

    private final Path directory;

    private SimulatedAuthority(Path directory) {
        this.directory = directory;
    }

    /** Creates the authority and issues every participant its certificate. */
    public static SimulatedAuthority issue(Collection<String> participantIds) {
        Path directory;
        try {
            directory = Files.createTempDirectory("fedistill-signing-");
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a directory for the simulation's certificates", e);
        }
        SimulatedAuthority authority = new SimulatedAuthority(directory);
        try {
            CertificateAuthority ca =
                    CertificateAuthority.create(directory, "simulation", VALIDITY);
            participantIds.forEach(id -> ca.issueParticipant(id, VALIDITY));
            return authority;
        } catch (RuntimeException e) {
            authority.close();
            throw e;
        }
    }

    /** Returns the directory the participants' hosts read their identities from. */
    public Path directory() {
        return directory;
    }

    /** Returns the verifier of the certificates this authority issued. */
    public CredentialVerifier verifier() {
        return CertificateIdentities.verifier(directory.resolve("ca.pem"));
    }

    /** Deletes the directory with its keys. */
    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot delete the simulation's certificates in " + directory, e);
        }
    }
}
