package io.fedistill.grpc.coordinator;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.codec.FeedbackMemory;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.message.Message;
import io.fedistill.core.participant.DaemonThreads;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.grpc.proto.ConnectRequest;
import io.fedistill.grpc.proto.CoordinatorGrpc;
import io.fedistill.grpc.proto.Downlink;
import io.fedistill.grpc.proto.HeartbeatAck;
import io.fedistill.grpc.proto.HeartbeatRequest;
import io.fedistill.grpc.proto.ReplyAck;
import io.fedistill.grpc.proto.Settlement;
import io.fedistill.grpc.proto.Uplink;
import io.fedistill.grpc.proto.Welcome;
import io.fedistill.grpc.security.CertificateIdentities;
import io.fedistill.grpc.security.ParticipantAuthenticator;
import io.fedistill.grpc.security.ServerTls;
import io.fedistill.grpc.wire.PayloadAssembler;
import io.fedistill.grpc.wire.WireException;
import io.fedistill.grpc.wire.WireMessages;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's fleet over gRPC: a server that participants (or worker processes hosting
 * several) connect out to, a membership registry of who is online and when each was last heard
 * from, and push / pull delivery: tasks are pushed down each participant's stream in chunks, and
 * replies are pulled in by id until the deadline.
 *
 * <p>A round never waits past its deadline, nor for a participant that is offline: a task to a
 * participant without a live connection fails at once, and one whose connection drops fails once
 * the participant stays away for three heartbeat intervals; if it reconnects sooner, its unanswered
 * tasks are sent again and it resumes. Every refused call ends with a gRPC status and one log line.
 */
public final class GrpcFleet implements FleetBackend {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcFleet.class);
    private static final int PROTOCOL_VERSION = 1;

    private final List<String> participantIds;
    private final long runSeed;
    private final Codec codec;

    /**
     * Top-k's error feedback of the tasks sent down, per participant and tensor, which the
     * coordinator checkpoints with the round ({@link #snapshot}).
     */
    private final FeedbackMemory.Held downlinkFeedback = FeedbackMemory.inMemory();

    private final int maxChunkBytes = WireMessages.DEFAULT_CHUNK_BYTES;
    private final long maxPayloadBytes = WireMessages.DEFAULT_MAX_PAYLOAD_BYTES;
    private final Duration heartbeatInterval;
    private final ParticipantAuthenticator authenticator;
    private final String federation;
    private final String algorithm;
    private final boolean membership;
    private final String instance = UUID.randomUUID().toString();
    private final int resumedAfterRound;
    private final Server server;

    /** Checks participants' certificates for signed secure aggregation, when they present any. */
    private final Optional<CredentialVerifier> credentialVerifier;

    private final Map<String, Connection> connectionById = new ConcurrentHashMap<>();
    private final Map<String, Connection> connectionOf = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeenNanos = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, String> participantOfTask = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fedistill-membership"));

    /** One live task stream and the participants it hosts. */
    private static final class Connection {
        final String id = UUID.randomUUID().toString();
        final Set<String> participants;
        final ServerCallStreamObserver<Downlink> stream;
        final ParticipantAuthenticator.Caller caller;
        volatile boolean open = true;

        Connection(
                Set<String> participants,
                ServerCallStreamObserver<Downlink> stream,
                ParticipantAuthenticator.Caller caller) {
            this.participants = participants;
            this.stream = stream;
            this.caller = caller;
        }

        /** Ends the stream with an error the participant reads; false when it was gone. */
        synchronized boolean close(Status status) {
            if (!open) {
                return false;
            }
            open = false;
            try {
                stream.onError(status.asRuntimeException());
            } catch (RuntimeException e) {
                // already gone
            }
            return true;
        }

        /** Sends items in order; false when the stream is gone. */
        synchronized boolean send(List<Downlink> items) {
            if (!open) {
                return false;
            }
            try {
                items.forEach(stream::onNext);
                return true;
            } catch (RuntimeException e) {
                open = false;
                return false;
            }
        }
    }

    /** A task sent and not yet answered. */
    private static final class Pending {
        final Message request;
        final ReplySpec spec;
        final List<Downlink> items;
        final long downBytes;
        final CompletableFuture<Arrived> reply = new CompletableFuture<>();

        Pending(Message request, ReplySpec spec, List<Downlink> items) {
            this.request = request;
            this.spec = spec;
            this.items = items;
            this.downBytes = items.stream().mapToLong(Downlink::getSerializedSize).sum();
        }
    }

    /** A reply and the bytes it took on the wire. */
    private record Arrived(Message reply, long upBytes) {}

    private GrpcFleet(Builder b) {
        this.participantIds = List.copyOf(b.participantIds);
        this.runSeed = b.runSeed;
        this.codec = b.codec;
        this.heartbeatInterval = b.heartbeatInterval;
        this.authenticator = b.authenticator;
        this.federation = b.federation;
        this.algorithm = b.algorithm;
        this.membership = b.membership;
        this.resumedAfterRound = b.resumedAfterRound;
        this.credentialVerifier =
                b.credentialVerifier != null
                        ? Optional.of(b.credentialVerifier)
                        : b.tls == null
                                ? Optional.empty()
                                : b.tls.clientCa()
                                        .map(
                                                ca ->
                                                        CertificateIdentities.verifier(
                                                                ca, b.tls.revocations()));
        try {
            NettyServerBuilder server =
                    NettyServerBuilder.forAddress(new InetSocketAddress(b.bindAddress, b.port))
                            // one chunk plus its header fits; bigger messages are refused
                            .maxInboundMessageSize(WireMessages.MAX_MESSAGE_BYTES)
                            .addService(
                                    ServerInterceptors.intercept(
                                            new Service(),
                                            ConnectionIds.interceptor(),
                                            b.authenticator.interceptor()));
            if (b.tls != null) {
                SslContextBuilder ssl =
                        GrpcSslContexts.forServer(
                                b.tls.certificateChain().toFile(), b.tls.privateKey().toFile());
                if (b.tls.clientCa().isPresent()) {
                    ssl.trustManager(b.tls.clientCa().get().toFile())
                            .clientAuth(
                                    b.authenticator.acceptsTokens()
                                            ? ClientAuth.OPTIONAL
                                            : ClientAuth.REQUIRE);
                }
                server.sslContext(ssl.build());
            }
            this.server = server.build().start();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot listen on " + b.bindAddress + ":" + b.port + ": " + e.getMessage(), e);
        }
        long interval = heartbeatInterval.toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, interval, interval, TimeUnit.MILLISECONDS);
        LOG.info(
                "coordinator listening on {}:{} ({}) for {} participants",
                b.bindAddress,
                port(),
                b.tls == null ? "plaintext" : "TLS",
                participantIds.size());
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the port the server listens on. */
    public int port() {
        return server.getPort();
    }

    /** Returns the participants connected now. */
    public Set<String> online() {
        Set<String> online = new LinkedHashSet<>();
        for (String id : participantIds) {
            Connection c = connectionOf.get(id);
            if (c != null && c.open) {
                online.add(id);
            }
        }
        return online;
    }

    /**
     * Waits until at least {@code count} participants are connected.
     *
     * @return whether they were before the timeout
     */
    public boolean awaitOnline(int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (online().size() < count) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Returns top-k's feedback on the tasks sent so far, for the coordinator's checkpoint. */
    @Override
    public TensorRecord snapshot() {
        return downlinkFeedback.snapshot();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        downlinkFeedback.restore(snapshot);
    }

    /**
     * Returns the participants rounds may select: every participant of the federation, or, with
     * {@link Builder#optMembership}, those connected now (in federation order), so participants may
     * join and leave between rounds.
     */
    @Override
    public List<String> participantIds() {
        return membership ? List.copyOf(online()) : participantIds;
    }

    /**
     * Returns the verifier of participant certificates when participants authenticate by
     * certificate (the authority that issued them is the server's client CA).
     */
    @Override
    public Optional<CredentialVerifier> credentialVerifier() {
        return credentialVerifier;
    }

    @Override
    public boolean awaitParticipants(int minimum, Duration timeout) throws InterruptedException {
        return awaitOnline(minimum, timeout);
    }

    @Override
    public ExchangeResult deliver(List<Message> requests, Duration deadline) {
        return deliver(requests, null, deadline);
    }

    @Override
    public ExchangeResult deliver(List<Message> requests, ReplySpec spec, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        List<ParticipantFailure> failed = new ArrayList<>();
        List<Transfer> transfers = new ArrayList<>();
        List<Pending> sent = new ArrayList<>();
        for (Message request : requests) {
            String id = request.participantId();
            if (!participantIds.contains(id)) {
                failed.add(new ParticipantFailure(id, request.round(), "no such participant"));
                continue;
            }
            Connection connection = connectionOf.get(id);
            if (connection == null || !connection.open) {
                failed.add(new ParticipantFailure(id, request.round(), "offline"));
                continue;
            }
            Pending task =
                    new Pending(
                            request,
                            spec,
                            WireMessages.taskItems(
                                    request, codec, maxChunkBytes, downlinkFeedback));
            pending.put(request.id(), task);
            if (!connection.send(task.items)) {
                // the stream broke: the task waits for a reconnect within the grace period
                LOG.info("participant {} dropped its connection; holding its task", id);
            }
            transfers.add(new Transfer(id, Direction.DOWN, task.downBytes));
            sent.add(task);
        }
        List<Message> replies = new ArrayList<>();
        for (Pending task : sent) {
            String id = task.request.participantId();
            try {
                long wait = Math.min(end - System.nanoTime(), task.request.timeToLive().toNanos());
                Arrived arrived = task.reply.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                transfers.add(new Transfer(id, Direction.UP, arrived.upBytes));
                replies.add(arrived.reply);
            } catch (TimeoutException e) {
                failed.add(
                        new ParticipantFailure(
                                id, task.request.round(), "missed the deadline of " + deadline));
            } catch (ExecutionException e) {
                failed.add(
                        new ParticipantFailure(
                                id, task.request.round(), e.getCause().getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(new ParticipantFailure(id, task.request.round(), "interrupted"));
            } finally {
                pending.remove(task.request.id());
            }
        }
        return new ExchangeResult(replies, failed, transfers);
    }

    @Override
    public void settle(List<String> accepted, List<String> rejected) {
        Map<Connection, Settlement.Builder> byConnection = new HashMap<>();
        collect(accepted, true, byConnection);
        collect(rejected, false, byConnection);
        byConnection.forEach(
                (connection, settlement) ->
                        connection.send(
                                List.of(Downlink.newBuilder().setSettlement(settlement).build())));
    }

    private void collect(
            Collection<String> taskIds,
            boolean accepted,
            Map<Connection, Settlement.Builder> byConnection) {
        for (String taskId : taskIds) {
            String participant = participantOfTask.remove(taskId);
            Connection connection = participant == null ? null : connectionOf.get(participant);
            if (connection == null) {
                continue; // offline: what it staged stays uncommitted and its next task drops it
            }
            Settlement.Builder settlement =
                    byConnection.computeIfAbsent(connection, c -> Settlement.newBuilder());
            if (accepted) {
                settlement.addAccepted(taskId);
            } else {
                settlement.addRejected(taskId);
            }
        }
    }

    /**
     * One membership sweep. A failure is logged and the next sweep runs: an exception escaping a
     * scheduled task would end the sweeps for good, and absent participants' tasks would then wait
     * forever.
     */
    private void sweep() {
        try {
            closeRevoked();
        } catch (RuntimeException e) {
            LOG.error("checking open connections against the revocations failed", e);
        }
        try {
            failAbsent();
        } catch (RuntimeException e) {
            LOG.error("failing the tasks of absent participants failed", e);
        }
    }

    /**
     * Ends the connections of callers revoked since they connected (their certificate by the
     * authority's list, or their id by {@code serve --revoked}): their participants read why, and
     * their heartbeats, replies and new connections are refused from then on, so that their tasks
     * fail as absent.
     */
    private void closeRevoked() {
        for (Connection connection : connectionById.values()) {
            if (!connection.open) {
                continue;
            }
            Optional<String> revoked = authenticator.revocation(connection.caller);
            if (revoked.isPresent()
                    && connection.close(Status.PERMISSION_DENIED.withDescription(revoked.get()))) {
                LOG.warn(
                        "closed the connection of {}: {}",
                        abbreviated(connection.participants),
                        revoked.get());
            }
        }
    }

    /** Fails the tasks of participants that have been away for three heartbeat intervals. */
    private void failAbsent() {
        long grace = 3 * heartbeatInterval.toNanos();
        long now = System.nanoTime();
        for (Pending task : pending.values()) {
            long lastSeen = lastSeenNanos.getOrDefault(task.request.participantId(), 0L);
            if (now - lastSeen > grace) {
                task.reply.completeExceptionally(
                        new IllegalStateException(
                                "offline: not heard from for "
                                        + Duration.ofNanos(now - lastSeen).toMillis()
                                        + " ms"));
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        for (Connection connection : connectionById.values()) {
            synchronized (connection) {
                if (connection.open) {
                    connection.open = false;
                    try {
                        connection.stream.onCompleted();
                    } catch (RuntimeException e) {
                        // already gone
                    }
                }
            }
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }

    /** Refuses a call: one log line here, the status and description to the caller. */
    private static void refuse(StreamObserver<?> caller, Status status, String description) {
        LOG.warn("refused: {} {}", status.getCode(), description);
        caller.onError(status.withDescription(description).asRuntimeException());
    }

    /** The gRPC service participants call. */
    private final class Service extends CoordinatorGrpc.CoordinatorImplBase {

        @Override
        public void connect(ConnectRequest request, StreamObserver<Downlink> observer) {
            if (request.getProtocolVersion() != PROTOCOL_VERSION) {
                refuse(
                        observer,
                        Status.FAILED_PRECONDITION,
                        "protocol version "
                                + request.getProtocolVersion()
                                + " is not spoken here; this coordinator speaks "
                                + PROTOCOL_VERSION);
                return;
            }
            Set<String> ids = new LinkedHashSet<>(request.getParticipantIdsList());
            if (ids.isEmpty()) {
                refuse(observer, Status.INVALID_ARGUMENT, "a connection must name a participant");
                return;
            }
            ParticipantAuthenticator.Caller caller = ParticipantAuthenticator.caller();
            Connection connection;
            synchronized (GrpcFleet.this) {
                for (String id : ids) {
                    if (!caller.mayActAs(id)) {
                        refuse(
                                observer,
                                Status.PERMISSION_DENIED,
                                caller.describe()
                                        + " may not act for participant '"
                                        + shorten(id)
                                        + "'");
                        return;
                    }
                    if (!participantIds.contains(id)) {
                        refuse(
                                observer,
                                Status.PERMISSION_DENIED,
                                "participant '" + shorten(id) + "' is not part of this federation");
                        return;
                    }
                    Connection existing = connectionOf.get(id);
                    if (existing != null
                            && existing.open
                            && !existing.id.equals(request.getPreviousConnectionId())) {
                        refuse(
                                observer,
                                Status.ALREADY_EXISTS,
                                "participant '" + id + "' is already connected");
                        return;
                    }
                }
                ServerCallStreamObserver<Downlink> stream =
                        (ServerCallStreamObserver<Downlink>) observer;
                connection = new Connection(ids, stream, caller);
                Connection previous = connectionById.remove(request.getPreviousConnectionId());
                if (previous != null) {
                    previous.open = false;
                }
                connectionById.put(connection.id, connection);
                long now = System.nanoTime();
                for (String id : ids) {
                    connectionOf.put(id, connection);
                    lastSeenNanos.put(id, now);
                }
                Connection registered = connection;
                stream.setOnCancelHandler(() -> disconnected(registered));
            }
            connection.send(
                    List.of(
                            Downlink.newBuilder()
                                    .setWelcome(
                                            Welcome.newBuilder()
                                                    .setConnectionId(connection.id)
                                                    .setRunSeed(runSeed)
                                                    .setCodec(codec.name())
                                                    .setMaxChunkBytes(maxChunkBytes)
                                                    .setMaxPayloadBytes(maxPayloadBytes)
                                                    .setHeartbeatIntervalMs(
                                                            (int) heartbeatInterval.toMillis())
                                                    .setFederation(federation)
                                                    .setAlgorithm(algorithm)
                                                    .setCoordinatorInstance(instance)
                                                    .setResumed(resumedAfterRound >= 0)
                                                    .setResumedAfterRound(
                                                            Math.max(0, resumedAfterRound)))
                                    .build()));
            LOG.info("connected: {} ({} participants)", abbreviated(ids), ids.size());
            // a participant that reconnects gets the tasks it has not answered yet
            for (Pending task : pending.values()) {
                if (ids.contains(task.request.participantId()) && !task.reply.isDone()) {
                    connection.send(task.items);
                }
            }
        }

        private void disconnected(Connection connection) {
            connection.open = false;
            long now = System.nanoTime();
            connection.participants.forEach(id -> lastSeenNanos.put(id, now));
            LOG.info("disconnected: {}", abbreviated(connection.participants));
        }

        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatAck> observer) {
            Connection connection = connectionById.get(request.getConnectionId());
            if (connection == null || !connection.open) {
                refuse(observer, Status.NOT_FOUND, "unknown connection; connect again");
                return;
            }
            ParticipantAuthenticator.Caller caller = ParticipantAuthenticator.caller();
            if (!connection.participants.stream().allMatch(caller::mayActAs)) {
                refuse(
                        observer,
                        Status.PERMISSION_DENIED,
                        caller.describe() + " does not own this connection");
                return;
            }
            long now = System.nanoTime();
            connection.participants.forEach(id -> lastSeenNanos.put(id, now));
            observer.onNext(HeartbeatAck.getDefaultInstance());
            observer.onCompleted();
        }

        @Override
        public StreamObserver<Uplink> reply(StreamObserver<ReplyAck> observer) {
            Connection caller = connectionById.get(ConnectionIds.CURRENT.get());
            ParticipantAuthenticator.Caller credential = ParticipantAuthenticator.caller();
            return new StreamObserver<>() {
                private PayloadAssembler assembler;
                private long wireBytes;
                private boolean refused;
                private boolean answered;

                @Override
                public void onNext(Uplink item) {
                    if (refused) {
                        return;
                    }
                    wireBytes += item.getSerializedSize();
                    try {
                        if (item.hasReply()) {
                            if (assembler != null) {
                                throw new WireException("a reply call carries one message");
                            }
                            if (caller == null) {
                                refusal(Status.UNAUTHENTICATED, "reply from no known connection");
                                return;
                            }
                            String participant = item.getReply().getParticipantId();
                            if (!caller.participants.contains(participant)
                                    || !credential.mayActAs(participant)) {
                                refusal(
                                        Status.PERMISSION_DENIED,
                                        "this connection may not reply for participant '"
                                                + shorten(participant)
                                                + "'");
                                return;
                            }
                            assembler = new PayloadAssembler(item.getReply(), maxPayloadBytes);
                        } else if (item.hasChunk()) {
                            if (assembler == null) {
                                throw new WireException("a chunk before the reply's header");
                            }
                            if (assembler.add(item.getChunk())) {
                                arrived();
                            }
                        } else {
                            throw new WireException("an empty item");
                        }
                    } catch (WireException e) {
                        refusal(Status.INVALID_ARGUMENT, e.getMessage());
                    }
                }

                private void arrived() {
                    Pending task = pending.get(assembler.header().getReplyTo());
                    // a reply may send weights as their change from the task's (top-k)
                    Message reply =
                            WireMessages.decode(
                                    assembler.header(),
                                    assembler.payload(),
                                    Optional.ofNullable(task).map(t -> t.request));
                    if (task == null) {
                        refusal(
                                Status.NOT_FOUND,
                                "reply to task '"
                                        + shorten(reply.replyTo().orElse(""))
                                        + "' (round "
                                        + reply.round()
                                        + "), which was never sent or is already closed");
                        return;
                    }
                    if (!task.request.participantId().equals(reply.participantId())) {
                        refusal(
                                Status.PERMISSION_DENIED,
                                "task " + task.request.id() + " went to another participant");
                        return;
                    }
                    Optional<String> revoked = authenticator.revocation(credential);
                    if (revoked.isPresent()) {
                        // revoked while this reply was on its way
                        refusal(Status.PERMISSION_DENIED, revoked.get());
                        return;
                    }
                    participantOfTask.put(task.request.id(), reply.participantId());
                    Optional<String> problem =
                            task.spec == null || reply.isError()
                                    ? Optional.empty()
                                    : task.spec.check(task.request, reply);
                    if (problem.isPresent()) {
                        task.reply.completeExceptionally(
                                new IllegalStateException("reply refused: " + problem.get()));
                        refusal(Status.INVALID_ARGUMENT, problem.get());
                        return;
                    }
                    if (!task.reply.complete(new Arrived(reply, wireBytes))) {
                        refusal(
                                Status.NOT_FOUND,
                                "task " + task.request.id() + " is already answered or closed");
                        return;
                    }
                    answered = true;
                }

                private void refusal(Status status, String description) {
                    refused = true;
                    refuse(observer, status, description);
                }

                @Override
                public void onError(Throwable t) {
                    LOG.debug("reply stream broken: {}", t.toString());
                }

                @Override
                public void onCompleted() {
                    if (refused) {
                        return;
                    }
                    if (!answered) {
                        refuse(observer, Status.INVALID_ARGUMENT, "the reply ended incomplete");
                        return;
                    }
                    observer.onNext(ReplyAck.getDefaultInstance());
                    observer.onCompleted();
                }
            };
        }
    }

    /**
     * Checks what listening on an address demands: beyond loopback, TLS (unless plaintext is
     * explicitly allowed) and participants that authenticate.
     *
     * @throws IllegalArgumentException naming the address and what it lacks, or an unknown host
     */
    public static void checkExposure(
            String bindAddress,
            boolean tls,
            ParticipantAuthenticator authenticator,
            boolean plaintextBeyondLoopback) {
        boolean loopback;
        try {
            loopback = java.net.InetAddress.getByName(bindAddress).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("host '" + bindAddress + "' is unknown", e);
        }
        if (loopback) {
            return;
        }
        if (!tls && !plaintextBeyondLoopback) {
            throw new IllegalArgumentException(
                    "listening on "
                            + bindAddress
                            + " needs TLS (a certificate and key; `fedistill certs` makes"
                            + " them), or an explicit choice of plaintext for a closed"
                            + " network");
        }
        if (!authenticator.requiresCredentials()) {
            throw new IllegalArgumentException(
                    "listening on "
                            + bindAddress
                            + " needs participants to authenticate, by certificate (a"
                            + " client CA) or by token");
        }
    }

    private static String abbreviated(Collection<String> ids) {
        List<String> list = List.copyOf(ids);
        return list.size() <= 4
                ? list.toString()
                : list.subList(0, 3) + " ... " + list.get(list.size() - 1);
    }

    /** Collects the fleet's settings; {@code participantIds} is required. */
    public static final class Builder {
        private List<String> participantIds;
        private String bindAddress = "127.0.0.1";
        private int port;
        private long runSeed;
        private Codec codec = Codec.fp32();
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private String federation = "";
        private String algorithm = "";
        private ServerTls tls;
        private ParticipantAuthenticator authenticator = ParticipantAuthenticator.anyone();
        private boolean plaintextBeyondLoopback;
        private boolean membership;
        private int resumedAfterRound = -1;
        private CredentialVerifier credentialVerifier;

        private Builder() {}

        /**
         * Sets what checks participant credentials for signed secure aggregation, where the
         * participants' certificates do not authenticate their connections (a simulation's worker
         * processes on loopback); by default it is the client CA of {@link #optSecurity}, if any.
         */
        public Builder optCredentialVerifier(CredentialVerifier verifier) {
            this.credentialVerifier = Objects.requireNonNull(verifier);
            return this;
        }

        /**
         * Marks this coordinator as restarted from its checkpoint after {@code round}: participants
         * drop state they committed for later rounds when it welcomes them.
         */
        public Builder optResumedAfter(int round) {
            if (round < 0) {
                throw new IllegalArgumentException("round must be >= 0, got " + round);
            }
            this.resumedAfterRound = round;
            return this;
        }

        /**
         * Lets rounds select among the participants connected at the time (a deployment where
         * participants join and leave), instead of every participant of the federation.
         */
        public Builder optMembership(boolean membership) {
            this.membership = membership;
            return this;
        }

        /**
         * Sets TLS (null: none) and how participants authenticate (default: anyone, which only a
         * loopback address allows).
         */
        public Builder optSecurity(ServerTls tls, ParticipantAuthenticator authenticator) {
            this.tls = tls;
            this.authenticator = Objects.requireNonNull(authenticator);
            return this;
        }

        /** Allows listening on a non-loopback address without TLS (a closed lab network). */
        public Builder optPlaintextBeyondLoopback(boolean allowed) {
            this.plaintextBeyondLoopback = allowed;
            return this;
        }

        /**
         * Sets what participants are told about the federation in their Welcome: the experiment
         * (YAML) and the label of the algorithm this run executes.
         */
        public Builder optFederation(String federation, String algorithm) {
            this.federation = Objects.requireNonNull(federation);
            this.algorithm = Objects.requireNonNull(algorithm);
            return this;
        }

        /** Sets every participant of the federation, in a stable order. */
        public Builder setParticipantIds(List<String> participantIds) {
            this.participantIds = List.copyOf(participantIds);
            return this;
        }

        /** Sets the address to listen on (default 127.0.0.1) and the port (0: any free one). */
        public Builder optListen(String bindAddress, int port) {
            this.bindAddress = Objects.requireNonNull(bindAddress);
            this.port = port;
            return this;
        }

        /** Sets the run seed participants are told. */
        public Builder optRunSeed(long runSeed) {
            this.runSeed = runSeed;
            return this;
        }

        /** Sets the codec of tensor values (default fp32). */
        public Builder optCodec(Codec codec) {
            this.codec = Objects.requireNonNull(codec);
            return this;
        }

        /** Sets how often participants send heartbeats (default 2 s). */
        public Builder optHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        /** Starts the server. */
        public GrpcFleet build() {
            Objects.requireNonNull(participantIds, "participant ids are required");
            checkExposure(bindAddress, tls != null, authenticator, plaintextBeyondLoopback);
            return new GrpcFleet(this);
        }
    }
}
