package io.fedistill.cli.bench;

import io.fedistill.core.aggregate.WeightedMean;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.HostedIdentities;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.secagg.Neighbourhood;
import io.fedistill.core.secagg.SecureSum;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.grpc.security.CertificateIdentities;
import io.fedistill.grpc.wire.WireMessages;
import io.fedistill.simulation.SimulatedAuthority;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Secure aggregation against plain aggregation, side by side in one process: n participants upload
 * a vector of FD's size (10 x 10 per-label logits and 10 counts) or FedAvg's (LeNet-5's 61,706
 * weights), which the coordinator averages from the plain uploads or learns as a secure sum. Every
 * message goes through the wire format, so bytes are what a deployment sends; time is split into
 * the participants' (their hosts answering) and the coordinator's (everything else). The
 * recommended protocol for each size is also measured signed: each participant signs with a
 * certificate from a temporary authority, and everyone checks the signatures.
 */
final class SecureAggregationBenchmark {
    private static final MessageType UPLOAD = MessageType.of("bench", "upload");

    /** What one variant of a round cost. */
    private record Cost(double coordinatorSeconds, double participantSeconds, long bytes) {}

    /** A fleet over one host that carries every message through the wire format and times it. */
    private static final class WireFleet implements Fleet {
        private final ParticipantHost host;
        private final List<String> ids;
        private final Codec codec = Codec.fp32();
        private final Optional<CredentialVerifier> verifier;
        long bytes;
        long participantNanos;

        WireFleet(ParticipantHost host, List<String> ids, Optional<CredentialVerifier> verifier) {
            this.host = host;
            this.ids = ids;
            this.verifier = verifier;
        }

        @Override
        public Optional<CredentialVerifier> credentialVerifier() {
            return verifier;
        }

        @Override
        public List<String> participantIds() {
            return ids;
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            List<Message> replies = new ArrayList<>();
            List<ParticipantFailure> failures = new ArrayList<>();
            for (Message request : requests) {
                WireMessages.Carried down = WireMessages.carry(request, codec, true);
                long start = System.nanoTime();
                Message reply = host.answer(down.message(), host.open(down.message()));
                participantNanos += System.nanoTime() - start;
                WireMessages.Carried up = WireMessages.carry(reply, codec, false);
                bytes += down.wireBytes() + up.wireBytes();
                host.settle(List.of(request.id()), List.of());
                String why = spec.check(request, up.message()).orElse(null);
                if (why == null) {
                    replies.add(up.message());
                } else {
                    failures.add(new ParticipantFailure(request.participantId(), 1, why));
                }
            }
            return new ExchangeResult(replies, failures, List.of());
        }
    }

    private final int repeats;

    SecureAggregationBenchmark(int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        }
        this.repeats = repeats;
    }

    void run(PrintStream out) {
        out.println(
                "| participants | payload | protocol | plain coord s | secure coord s | ratio |"
                        + " plain part. s (each) | secure part. s (each) | plain MB | secure MB |"
                        + " ratio |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (int participants : new int[] {10, 50, 100}) {
            for (Map.Entry<String, Integer> payload :
                    Map.of("FD (110 values)", 110, "FedAvg (61,706 values)", 61_706)
                            .entrySet()
                            .stream()
                            .sorted(Map.Entry.comparingByValue())
                            .toList()) {
                Cost plain = median(participants, payload.getValue(), Optional.empty());
                Neighbourhood recommended = Neighbourhood.recommendedFor(participants);
                int degree =
                        recommended instanceof Neighbourhood.Harary harary ? harary.degree() : 0;
                String name = degree > 0 ? "SecAgg+ k=" + degree : "SecAgg";
                row(out, participants, payload, "SecAgg", plain, 0, false);
                if (degree > 0) {
                    row(out, participants, payload, name, plain, degree, false);
                }
                row(out, participants, payload, name + " signed", plain, degree, true);
            }
        }
    }

    private void row(
            PrintStream out,
            int participants,
            Map.Entry<String, Integer> payload,
            String protocol,
            Cost plain,
            int degree,
            boolean signed) {
        Cost secure =
                median(
                        participants,
                        payload.getValue(),
                        Optional.of(new SecureSumSettings(0, degree, 1024, signed)));
        out.printf(
                Locale.ROOT,
                "| %d | %s | %s | %.4f | %.4f | %.1f | %.5f | %.5f | %.3f | %.3f | %.1f |%n",
                participants,
                payload.getKey(),
                protocol,
                plain.coordinatorSeconds(),
                secure.coordinatorSeconds(),
                secure.coordinatorSeconds() / plain.coordinatorSeconds(),
                plain.participantSeconds() / participants,
                secure.participantSeconds() / participants,
                plain.bytes() / 1e6,
                secure.bytes() / 1e6,
                (double) secure.bytes() / plain.bytes());
    }

    /**
     * Returns the median cost over the repeats (after one warm-up) of plain aggregation, or of
     * secure aggregation with the given settings.
     */
    private Cost median(int participants, int values, Optional<SecureSumSettings> secure) {
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < participants; p++) {
            ids.add(String.format(Locale.ROOT, "p%03d", p));
        }
        boolean signed = secure.filter(SecureSumSettings::signed).isPresent();
        List<Cost> costs = new ArrayList<>();
        try (SimulatedAuthority authority = signed ? SimulatedAuthority.issue(ids) : null) {
            // identities and verifiers live for a whole run: certificates are checked once
            Optional<HostedIdentities> identities =
                    Optional.ofNullable(authority)
                            .map(a -> CertificateIdentities.hosted(a.directory(), ids));
            Optional<CredentialVerifier> verifier =
                    Optional.ofNullable(authority).map(SimulatedAuthority::verifier);
            for (int r = 0; r <= repeats; r++) {
                Cost cost = round(ids, values, secure, identities, verifier);
                if (r > 0) { // the first round warms up
                    costs.add(cost);
                }
            }
        }
        double[] coordinator =
                costs.stream().mapToDouble(Cost::coordinatorSeconds).sorted().toArray();
        double[] participant =
                costs.stream().mapToDouble(Cost::participantSeconds).sorted().toArray();
        return new Cost(
                coordinator[coordinator.length / 2],
                participant[participant.length / 2],
                costs.get(0).bytes());
    }

    private Cost round(
            List<String> ids,
            int values,
            Optional<SecureSumSettings> secure,
            Optional<HostedIdentities> identities,
            Optional<CredentialVerifier> verifier) {
        Map<String, Learner> learners = new LinkedHashMap<>();
        for (int p = 0; p < ids.size(); p++) {
            String id = ids.get(p);
            float[] vector = new float[values];
            Random random = new Random(p);
            for (int i = 0; i < values; i++) {
                vector[i] = (float) random.nextGaussian();
            }
            TensorRecord upload =
                    TensorRecord.of(
                            "w", Tensor.wrap(new int[] {values}, vector), TensorRole.WEIGHTS);
            learners.put(
                    id,
                    Learner.builder()
                            .on(
                                    UPLOAD,
                                    (request, context) ->
                                            request.reply()
                                                    .optTensors(upload)
                                                    .optMetrics(Metrics.of("examples", 100))
                                                    .build())
                            .build());
        }
        WireFleet fleet = new WireFleet(hostOf(learners, identities), ids, verifier);
        RoundContext context = new RoundContext(1, 1, 1, ids);
        long start = System.nanoTime();
        List<Message> requests = new ArrayList<>();
        for (String id : ids) {
            requests.add(
                    Message.builder(1, UPLOAD, id)
                            .optConfig(
                                    secure.isPresent()
                                            ? ConfigRecord.of(SecureSum.WEIGHT, "examples")
                                            : ConfigRecord.empty())
                            .build());
        }
        if (secure.isPresent()) {
            fleet.exchange(requests, ReplySpec.metricsOnly("examples"));
            SecureSum.run(context, fleet, ids, values + 1, secure.get());
        } else {
            List<Message> replies =
                    fleet.exchange(requests, ReplySpec.anyTensors("examples")).replies();
            double[] weights = new double[replies.size()];
            Arrays.fill(weights, 100);
            WeightedMean.of(replies.stream().map(Message::tensors).toList(), weights);
        }
        double total = (System.nanoTime() - start) / 1e9;
        double participantSeconds = fleet.participantNanos / 1e9;
        return new Cost(total - participantSeconds, participantSeconds, fleet.bytes);
    }

    private static ParticipantHost hostOf(
            Map<String, Learner> learners, Optional<HostedIdentities> identities) {
        return ParticipantHost.builder(learners, new StateStore(Codec.fp32()), 1)
                .optIdentities(identities)
                .build();
    }
}
