package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.core.federation.ParticipantIds;
import io.fedistill.grpc.security.CertificateAuthority;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fedistill certs}: creates a federation's certificate authority, the coordinator's
 * certificate and each participant's certificate and token; run again on the same directory, it
 * issues for new participants from the existing authority. {@code certs request} and {@code certs
 * sign} let a participant make its key itself and have only its public half certified; {@code certs
 * revoke} lists certificates in the authority's signed revocation list.
 */
@Command(
        name = "certs",
        mixinStandardHelpOptions = true,
        subcommands = {
            CertsCommand.Request.class,
            CertsCommand.Sign.class,
            CertsCommand.Revoke.class
        },
        description =
                "Create a federation's CA, the coordinator's certificate and each participant's"
                        + " certificate and token (PEM files; keys and tokens readable by their"
                        + " owner only); or, with 'request' and 'sign', certify a key a participant"
                        + " made itself; or, with 'revoke', revoke certificates.")
final class CertsCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", description = "where to write (required)")
    private Path out;

    @Option(
            names = "--participants",
            split = ",",
            paramLabel = "ID",
            description = "participant ids, e.g. p00,p01")
    private List<String> participants = new ArrayList<>();

    @Option(
            names = "--experiment",
            paramLabel = "YAML",
            description = "issue for every participant of this experiment")
    private Path experiment;

    @Option(
            names = "--host",
            paramLabel = "NAME",
            description = "the coordinator's host names or addresses (repeatable)")
    private List<String> hosts = new ArrayList<>();

    @Option(
            names = "--days",
            description = "how long the certificates are valid (default ${DEFAULT-VALUE})")
    private int days = 365;

    @Override
    public Integer call() {
        if (out == null) {
            throw new ConfigException("name where to write: --out DIR");
        }
        Set<String> ids = new LinkedHashSet<>(participants);
        if (experiment != null) {
            ExperimentConfig config = ExperimentLoader.load(experiment, List.of());
            ids.addAll(config.participantIds());
        }
        if (ids.isEmpty()) {
            throw new ConfigException("name the participants: --participants or --experiment");
        }
        if (days < 1) {
            throw new ConfigException("--days must be > 0, got " + days);
        }
        // before anything is written, so a bad id leaves no half-made authority behind
        try {
            ids.forEach(id -> ParticipantIds.require(id, "participant id"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        OutputDirectories.require(out, "--out");
        Duration validity = Duration.ofDays(days);
        boolean existing = Files.exists(out.resolve("ca.pem"));
        CertificateAuthority authority =
                existing
                        ? CertificateAuthority.open(out)
                        : CertificateAuthority.create(out, "fedistill", validity);
        if (!existing || !hosts.isEmpty()) {
            authority.issueCoordinator(hosts, validity);
        }
        ids.forEach(id -> authority.issueParticipant(id, validity));
        System.out.println(
                "fedistill: "
                        + (existing ? "issued from the authority in " : "created an authority in ")
                        + out
                        + " for "
                        + ids.size()
                        + " participants; give the coordinator ca.pem, coordinator.pem,"
                        + " coordinator-key.pem and tokens.txt, and each participant ca.pem, its"
                        + " <id>.pem and <id>-key.pem (or its <id>.token); ca-key.pem stays"
                        + " offline");
        return 0;
    }

    /** The {@code --authority DIR} of the subcommands that issue or revoke from an authority. */
    static final class AuthorityDirectory {
        @Option(
                names = "--authority",
                required = true,
                paramLabel = "DIR",
                description = "the authority's directory (ca.pem, ca-key.pem)")
        private Path dir;

        /**
         * Opens the existing authority for issuing or revoking for {@code days}, refusing a
         * directory without one and days below 1.
         */
        CertificateAuthority open(int days) {
            if (days < 1) {
                throw new ConfigException("--days must be > 0, got " + days);
            }
            if (!Files.exists(dir.resolve("ca.pem"))) {
                throw new ConfigException(
                        dir + " holds no authority (ca.pem): create one with fedistill certs");
            }
            return CertificateAuthority.open(dir);
        }
    }

    /**
     * {@code fedistill certs request}: makes a participant's key and a certificate request where
     * the participant is, so that the key never leaves it.
     */
    @Command(
            name = "request",
            mixinStandardHelpOptions = true,
            description =
                    "Make this participant's key (<id>-key.pem, kept here) and a certificate"
                            + " request (<id>.csr) to give the federation's authority.")
    static final class Request implements Callable<Integer> {
        @Option(
                names = "--participant-id",
                required = true,
                paramLabel = "ID",
                description = "this participant's id")
        private String participantId;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "where to write")
        private Path out;

        @Override
        public Integer call() {
            String fingerprint;
            try {
                ParticipantIds.require(participantId, "--participant-id");
                OutputDirectories.require(out, "--out");
                fingerprint = CertificateAuthority.requestParticipant(out, participantId);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            System.out.println(
                    "fedistill: wrote "
                            + out.resolve(participantId + "-key.pem")
                            + " (keep it here) and "
                            + out.resolve(participantId + ".csr")
                            + " (give it to the federation's authority: fedistill certs sign);"
                            + " the authority should confirm with you, through another channel,"
                            + " that the key it certifies has the fingerprint "
                            + fingerprint);
            return 0;
        }
    }

    /**
     * {@code fedistill certs sign}: issues participants' certificates for the keys in their
     * requests, from an existing authority.
     */
    @Command(
            name = "sign",
            mixinStandardHelpOptions = true,
            description =
                    "Issue each requesting participant its certificate (<id>.pem) from the"
                            + " authority in DIR, for the key its request holds.")
    static final class Sign implements Callable<Integer> {
        @Mixin private AuthorityDirectory authority;

        @Parameters(arity = "1..*", paramLabel = "CSR", description = "requests (<id>.csr)")
        private List<Path> requests;

        @Option(
                names = "--days",
                description = "how long the certificates are valid (default ${DEFAULT-VALUE})")
        private int days = 365;

        @Option(
                names = "--replace",
                description = "replace a certificate already issued for the participant")
        private boolean replace;

        @Override
        public Integer call() {
            try {
                CertificateAuthority ca = authority.open(days);
                for (Path request : requests) {
                    CertificateAuthority.Issued issued =
                            ca.issueRequested(request, Duration.ofDays(days), replace);
                    System.out.println(
                            "fedistill: issued "
                                    + authority.dir.resolve(issued.participantId() + ".pem")
                                    + " for the key in "
                                    + request
                                    + " with the fingerprint "
                                    + issued.keyFingerprint()
                                    + "; confirm it with "
                                    + issued.participantId()
                                    + " through another channel before giving it the certificate");
                    issued.replaced()
                            .ifPresent(
                                    serial ->
                                            System.out.println(
                                                    "fedistill: the certificate it replaces"
                                                            + " (serial number "
                                                            + serial.toString(16)
                                                            + ") stays valid until it expires;"
                                                            + " if its key was lost or stolen,"
                                                            + " revoke it: fedistill certs revoke"
                                                            + " --authority "
                                                            + authority.dir
                                                            + " --serial "
                                                            + serial.toString(16)));
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ConfigException(e.getMessage());
            }
            return 0;
        }
    }

    /**
     * {@code fedistill certs revoke}: revokes participants' certificates in the authority's signed
     * revocation list, or renews the list.
     */
    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revoke the named participants' current certificates: write the authority's"
                            + " signed revocation list (crl.pem in DIR) anew with them, to give"
                            + " the coordinator (serve --crl) and the participants (join --crl);"
                            + " with no ids, renew the list.")
    static final class Revoke implements Callable<Integer> {
        @Mixin private AuthorityDirectory authority;

        @Parameters(arity = "0..*", paramLabel = "ID", description = "participant ids")
        private List<String> participantIds = new ArrayList<>();

        @Option(
                names = "--serial",
                paramLabel = "HEX",
                description =
                        "also revoke the certificate with this serial number, e.g. one that"
                                + " certs sign --replace replaced (repeatable)")
        private List<String> serials = new ArrayList<>();

        @Option(
                names = "--days",
                description =
                        "renew the list within this many days; after that it is refused until"
                                + " renewed (default ${DEFAULT-VALUE})")
        private int days = 30;

        private List<BigInteger> serialNumbers() {
            List<BigInteger> numbers = new ArrayList<>();
            for (String serial : serials) {
                BigInteger number;
                try {
                    number = new BigInteger(serial, 16);
                } catch (NumberFormatException e) {
                    number = BigInteger.ZERO;
                }
                if (number.signum() <= 0) {
                    throw new ConfigException(
                            "--serial must be a positive hexadecimal serial number, got '"
                                    + serial
                                    + "'");
                }
                numbers.add(number);
            }
            return numbers;
        }

        @Override
        public Integer call() {
            try {
                Map<String, BigInteger> revoked =
                        authority
                                .open(days)
                                .revoke(participantIds, serialNumbers(), Duration.ofDays(days));
                serials.forEach(
                        serial ->
                                System.out.println(
                                        "fedistill: revoked the certificate with serial number "
                                                + serial));
                revoked.forEach(
                        (id, serial) ->
                                System.out.println(
                                        "fedistill: revoked the certificate of "
                                                + id
                                                + " (serial number "
                                                + serial.toString(16)
                                                + ")"));
                System.out.println(
                        "fedistill: wrote "
                                + authority.dir.resolve(CertificateAuthority.REVOCATION_LIST)
                                + "; renew it within "
                                + days
                                + " days (fedistill certs revoke --authority "
                                + authority.dir
                                + ") and give it to the coordinator (serve --crl) and the"
                                + " participants (join --crl)");
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ConfigException(e.getMessage());
            }
            return 0;
        }
    }
}
