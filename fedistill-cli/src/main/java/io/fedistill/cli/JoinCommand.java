package io.fedistill.cli;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmRegistry;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.federation.FederationSpec;
import io.fedistill.core.federation.ParticipantIds;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.grpc.participant.ParticipantAgent;
import io.fedistill.grpc.security.CertificateIdentities;
import io.fedistill.grpc.security.ClientTls;
import io.fedistill.grpc.security.RevocationList;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.data.ParticipantData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedistill join}: a participant process. Reads only its own data, connects out to the
 * coordinator, learns from it which algorithm, options, model and training settings the federation
 * uses, and answers its tasks until the coordinator ends the run.
 */
@Command(
        name = "join",
        mixinStandardHelpOptions = true,
        description =
                "Join a federation served by `fedistill serve` as one participant, with its own"
                        + " data (a directory `fedistill partition` writes).")
final class JoinCommand implements Callable<Integer> {
    /** The environment variable that may hold the participant's token. */
    static final String TOKEN = "FEDISTILL_TOKEN";

    @Option(
            names = "--coordinator",
            required = true,
            paramLabel = "HOST:PORT",
            description = "the coordinator's address")
    private String coordinator;

    @Option(
            names = "--participant-id",
            required = true,
            paramLabel = "ID",
            description = "this participant's id in the federation, e.g. p03")
    private String participantId;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "this participant's data: train, local-test and t10k IDX files")
    private Path data;

    @Option(
            names = "--dataset-dir",
            paramLabel = "DIR",
            description =
                    "where the full dataset lies, for federations with public data (default: the"
                            + " usual places)")
    private Path datasetDir;

    @Option(
            names = "--ca",
            paramLabel = "PEM",
            description = "connect over TLS, trusting the federation's CA (ca.pem)")
    private Path trustedCa;

    @Option(
            names = "--cert",
            paramLabel = "PEM",
            description =
                    "authenticate with this certificate (<id>.pem; needs --ca and --key); it also"
                            + " signs this participant's part in signed secure aggregation")
    private Path certificate;

    @Option(names = "--key", paramLabel = "PEM", description = "its key (<id>-key.pem)")
    private Path key;

    @Option(
            names = "--crl",
            paramLabel = "PEM",
            description =
                    "the authority's revocation list (crl.pem from fedistill certs revoke): in"
                            + " signed secure aggregation, refuse the keys of neighbours whose"
                            + " certificates it revokes; needs --cert")
    private Path revocationList;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description =
                    "authenticate with the token in this file (<id>.token); or set FEDISTILL_TOKEN")
    private Path tokenFile;

    @Option(
            names = "--reconnect-timeout",
            paramLabel = "SECONDS",
            description =
                    "how long to keep reconnecting to a lost coordinator, e.g. while it is"
                            + " restarted with serve --resume (default ${DEFAULT-VALUE})")
    private int reconnectTimeoutSeconds = 600;

    @Option(
            names = "--signed-secure-sums-only",
            description =
                    "send models and knowledge only into signed secure aggregation (secureSigned:"
                            + " true): refuse unsigned secure sums and any task that asks for them"
                            + " in the clear (metrics such as example counts and evaluation scores"
                            + " still go out); needs --cert")
    private boolean signedSecureSumsOnly;

    @Option(
            names = "--min-secure-sum",
            paramLabel = "PARTICIPANTS",
            description =
                    "take part only in secure sums of at least this many participants' inputs,"
                            + " this one's included: refuse smaller rounds and reveal no share for"
                            + " them (default ${DEFAULT-VALUE}: no limit)")
    private int minimumSecureSum = 1;

    @Override
    public Integer call() throws Exception {
        try {
            ParticipantIds.require(participantId, "--participant-id");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Address.parse("--coordinator", coordinator);
        if (reconnectTimeoutSeconds < 1) {
            throw new ConfigException(
                    "--reconnect-timeout must be > 0, got " + reconnectTimeoutSeconds);
        }
        if ((certificate == null) != (key == null)) {
            throw new ConfigException("--cert and --key go together");
        }
        if (certificate != null && trustedCa == null) {
            throw new ConfigException("--cert needs TLS: give --ca too");
        }
        String token =
                tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv(TOKEN);
        if (minimumSecureSum < 1) {
            throw new ConfigException("--min-secure-sum must be >= 1, got " + minimumSecureSum);
        }
        if (revocationList != null && certificate == null) {
            throw new ConfigException(
                    "--crl checks neighbours' certificates in signed secure aggregation, which"
                            + " needs this participant's own: give --cert and --key");
        }
        if (signedSecureSumsOnly && certificate == null) {
            throw new ConfigException(
                    "--signed-secure-sums-only needs a certificate to sign with: give --cert and"
                            + " --key");
        }
        Optional<HostedIdentities> identities;
        try {
            // a participant with a certificate signs the secure sums that are signed
            identities =
                    certificate == null
                            ? Optional.empty()
                            : Optional.of(
                                    new HostedIdentities(
                                            Map.of(
                                                    participantId,
                                                    CertificateIdentities.identity(
                                                            certificate, key)),
                                            CertificateIdentities.verifier(
                                                    trustedCa,
                                                    RevocationList.read(
                                                            Optional.ofNullable(revocationList),
                                                            trustedCa)),
                                            signedSecureSumsOnly));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        ParticipantData own = ParticipantData.read(data);
        try (ParticipantAgent agent =
                ParticipantAgent.builder()
                        .setHostFactory(
                                List.of(participantId),
                                federation -> host(federation, own, identities))
                        .setCoordinator(coordinator)
                        .optReconnectTimeout(Duration.ofSeconds(reconnectTimeoutSeconds))
                        .optTls(
                                trustedCa == null
                                        ? null
                                        : new ClientTls(
                                                trustedCa,
                                                Optional.ofNullable(certificate),
                                                Optional.ofNullable(key)))
                        .optToken(token)
                        .build()
                        .start()) {
            agent.awaitFinished(Duration.ofDays(3650));
        } catch (IllegalStateException refused) {
            throw new RunFailedException(
                    participantId + " could not take part: " + refused.getMessage());
        }
        return 0;
    }

    /** Builds this participant's learner from the coordinator's federation spec and its data. */
    private ParticipantHost host(
            ParticipantAgent.Federation federation,
            ParticipantData own,
            Optional<HostedIdentities> identities) {
        FederationSpec spec = FederationSpecs.fromJson(federation.description());
        if (spec.seed() != federation.runSeed()) {
            throw new ConfigException(
                    "the federation spec's seed "
                            + spec.seed()
                            + " differs from the run seed "
                            + federation.runSeed());
        }
        if (!spec.label().equals(federation.algorithm())) {
            throw new ConfigException(
                    "the federation spec describes "
                            + spec.label()
                            + ", the coordinator runs "
                            + federation.algorithm());
        }
        String model = spec.models().get(participantId);
        if (model == null) {
            throw new ConfigException(
                    "participant " + participantId + " has no model in this federation");
        }
        requireDataFits(spec, own);
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(spec.threads()));
        Algorithm algorithm;
        ParticipantSetup setup;
        try {
            algorithm = AlgorithmRegistry.create(spec.algorithm(), spec.options());
            setup =
                    ParticipantSetup.fromData(
                            participantId,
                            own,
                            ModelSpec.parse(model),
                            TrainingSettings.of(spec.training()),
                            ExperimentData.publicDataFor(spec, Optional.ofNullable(datasetDir)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("the federation " + spec.label() + ": " + e.getMessage(), e);
        }
        Learner learner = algorithm.newLearner(setup, federation.runSeed());
        // the store keeps each key's previous round, to go back to it if the coordinator restarts
        return ParticipantHost.builder(
                        Map.of(participantId, learner),
                        new StateStore(Codec.fp32(), true),
                        federation.runSeed())
                .optIdentities(identities)
                .optMinimumSecureSumContributors(minimumSecureSum)
                .build();
    }

    /** Refuses data whose classes or image shape differ from the federation's, naming both. */
    private static void requireDataFits(FederationSpec spec, ParticipantData own) {
        List<ImageDataset> sets = new ArrayList<>(List.of(own.train(), own.localTest()));
        own.test().ifPresent(sets::add);
        for (ImageDataset set : sets) {
            List<Integer> shape =
                    Arrays.stream(set.imageShape().getShape()).mapToObj(Math::toIntExact).toList();
            if (set.numClasses() != spec.classes() || !shape.equals(spec.inputShape())) {
                throw new ConfigException(
                        "this participant's "
                                + set.name()
                                + " has "
                                + set.numClasses()
                                + " classes of images "
                                + shape
                                + ", the federation "
                                + spec.classes()
                                + " classes of "
                                + spec.inputShape());
            }
        }
    }
}
