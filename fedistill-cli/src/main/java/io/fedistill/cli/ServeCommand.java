package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.grpc.coordinator.GrpcFleet;
import io.fedistill.grpc.security.CertificateAuthority;
import io.fedistill.grpc.security.ParticipantAuthenticator;
import io.fedistill.grpc.security.RevocationList;
import io.fedistill.grpc.security.RevokedParticipants;
import io.fedistill.grpc.security.ServerTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fedistill serve <experiment.yaml>}: a coordinator that participants on other processes or
 * hosts join with {@code fedistill join}, each with its own data.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve one algorithm of an experiment as a coordinator that participants join over"
                        + " gRPC (fedistill join); writes the run directory as run does.")
final class ServeCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "EXPERIMENT",
            description = "the experiment YAML file")
    private Path experiment;

    @Option(
            names = "--resume",
            paramLabel = "RUN_DIR",
            description =
                    "serve this run directory on from its last recorded round, after the"
                            + " coordinator process stopped or was killed; participants reconnect"
                            + " on their own")
    private Path resume;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "where to listen (default ${DEFAULT-VALUE}; port 0 picks a free one)")
    private String listen = "127.0.0.1:7410";

    @Option(
            names = "--algorithm",
            paramLabel = "LABEL",
            description = "the algorithm to serve (required when the experiment lists several)")
    private String algorithm;

    @Option(
            names = "--join-timeout",
            paramLabel = "SECONDS",
            description = "how long to wait for every participant (default ${DEFAULT-VALUE})")
    private int joinTimeoutSeconds = 600;

    @Option(
            names = "--min-participants",
            paramLabel = "N",
            description =
                    "start, and start each round, once N participants are connected (default:"
                            + " all); rounds select among those connected, so participants may"
                            + " join and leave between rounds")
    private Integer minParticipants;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a field")
    private List<String> overrides = new ArrayList<>();

    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description = "the coordinator's certificate (coordinator.pem from fedistill certs)")
    private Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "its key (coordinator-key.pem)")
    private Path tlsKey;

    @Option(
            names = "--client-ca",
            paramLabel = "PEM",
            description =
                    "participants authenticate by certificates signed by this CA (ca.pem); the"
                            + " certificate's common name is the participant id")
    private Path clientCa;

    @Option(
            names = "--tokens",
            paramLabel = "FILE",
            description = "participants may authenticate by token (tokens.txt: id and SHA-256)")
    private Path tokens;

    @Option(
            names = "--revoked",
            paramLabel = "FILE",
            description =
                    "participant ids refused even with valid credentials, one per line; read again"
                            + " when the file changes")
    private Path revoked;

    @Option(
            names = "--crl",
            paramLabel = "PEM",
            description =
                    "the client CA's revocation list (crl.pem from fedistill certs revoke): its"
                            + " certificates are refused, for connections and in signed secure"
                            + " aggregation; needs --client-ca")
    private Path revocationList;

    @Option(
            names = "--insecure-plaintext",
            description = "allow plaintext on a non-loopback address (a closed lab network only)")
    private boolean insecurePlaintext;

    @Option(
            names = "--coordinator-only",
            description =
                    "aggregate without model code or data: no dataset is loaded and the global"
                            + " model is scored by the participants' test sets (algorithms that"
                            + " only aggregate; automatic when DJL is not on the class path)")
    private boolean coordinatorOnly;

    @Override
    public Integer call() throws Exception {
        if ((experiment == null) == (resume == null)) {
            throw new ConfigException("give an experiment file, or --resume RUN_DIR");
        }
        if (resume != null && !overrides.isEmpty()) {
            throw new ConfigException("--resume serves the run as it was recorded; drop --set");
        }
        ExperimentConfig config =
                resume != null
                        ? ExperimentLoader.loadRunRecord(resume)
                        : ExperimentLoader.load(experiment, overrides);
        String label = algorithm;
        if (label == null) {
            if (config.algorithms().size() != 1) {
                throw new ConfigException(
                        "the experiment lists "
                                + config.algorithms().size()
                                + " algorithms; name the one to serve with --algorithm");
            }
            label = config.algorithms().get(0).label();
        }
        Address address = Address.parse("--listen", listen);
        int minimum = minParticipants == null ? config.participants() : minParticipants;
        if (minimum < 1 || minimum > config.participants()) {
            throw new ConfigException(
                    "--min-participants must be in 1.."
                            + config.participants()
                            + ", got "
                            + minParticipants);
        }
        if (joinTimeoutSeconds < 1) {
            throw new ConfigException("--join-timeout must be > 0, got " + joinTimeoutSeconds);
        }
        Optional<RevocationList> revocations = revocations();
        ParticipantAuthenticator authenticator = authenticator(revocations);
        try {
            GrpcFleet.checkExposure(
                    address.host(), tlsCertificate != null, authenticator, insecurePlaintext);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "--listen "
                            + listen
                            + ": "
                            + e.getMessage()
                            + " (serve's options: --tls-cert and --tls-key, --client-ca or"
                            + " --tokens, --insecure-plaintext)");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new ConfigException("--tls-cert and --tls-key go together");
        }
        if (clientCa != null && tlsCertificate == null) {
            throw new ConfigException("--client-ca needs TLS: give --tls-cert and --tls-key");
        }
        ServerTls tls =
                tlsCertificate == null
                        ? null
                        : new ServerTls(
                                existing("--tls-cert", tlsCertificate),
                                existing("--tls-key", tlsKey),
                                Optional.ofNullable(clientCa)
                                        .map(ca -> existing("--client-ca", ca)),
                                revocations);
        ExperimentRunner runner =
                new ExperimentRunner(config, commandLine(), System.out, System.console() != null);
        ExperimentRunner.Serving serving =
                new ExperimentRunner.Serving(
                        address.host(),
                        address.port(),
                        minimum,
                        Duration.ofSeconds(joinTimeoutSeconds),
                        label,
                        tls,
                        authenticator,
                        insecurePlaintext,
                        coordinatorOnly || !ExperimentRunner.engineOnClassPath());
        if (resume != null) {
            runner.resumeServing(resume, serving);
        } else {
            runner.serve(serving);
        }
        return 0;
    }

    /** Reads the client CA's revocation list, checking that the CA signed it. */
    private Optional<RevocationList> revocations() {
        if (revocationList == null) {
            return Optional.empty();
        }
        if (clientCa == null) {
            throw new ConfigException(
                    "--crl revokes participants' certificates: give --client-ca too");
        }
        try {
            return Optional.of(
                    RevocationList.read(
                            existing("--crl", revocationList), existing("--client-ca", clientCa)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--crl: " + e.getMessage());
        }
    }

    private ParticipantAuthenticator authenticator(Optional<RevocationList> revocations)
            throws IOException {
        Map<String, String> digests =
                tokens == null
                        ? Map.of()
                        : CertificateAuthority.TokenFile.read(existing("--tokens", tokens));
        if (tokens != null && digests.isEmpty()) {
            throw new ConfigException("--tokens " + tokens + " lists no participant");
        }
        if (revoked != null && clientCa == null && digests.isEmpty()) {
            throw new ConfigException(
                    "--revoked refuses participants by their credentials: give --client-ca or"
                            + " --tokens too");
        }
        RevokedParticipants refused = RevokedParticipants.none();
        if (revoked != null) {
            try {
                refused = RevokedParticipants.read(existing("--revoked", revoked));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--revoked: " + e.getMessage());
            }
        }
        return clientCa == null && digests.isEmpty()
                ? ParticipantAuthenticator.anyone()
                : ParticipantAuthenticator.of(clientCa != null, digests, refused, revocations);
    }

    private static Path existing(String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(option + " " + file + " does not exist");
        }
        return file;
    }

    private String commandLine() {
        StringBuilder line =
                new StringBuilder("fedistill serve ")
                        .append(resume != null ? "--resume " + resume : experiment)
                        .append(" --listen ");
        line.append(listen);
        if (algorithm != null) {
            line.append(" --algorithm ").append(algorithm);
        }
        overrides.forEach(o -> line.append(" --set ").append(o));
        return line.toString();
    }
}
