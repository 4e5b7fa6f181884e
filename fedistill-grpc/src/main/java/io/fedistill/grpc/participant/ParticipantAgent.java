package io.fedistill.grpc.participant;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.codec.FeedbackMemory;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.participant.DaemonThreads;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.grpc.coordinator.ConnectionIds;
import io.fedistill.grpc.proto.ConnectRequest;
import io.fedistill.grpc.proto.CoordinatorGrpc;
import io.fedistill.grpc.proto.Downlink;
import io.fedistill.grpc.proto.HeartbeatRequest;
import io.fedistill.grpc.proto.ReplyAck;
import io.fedistill.grpc.proto.Settlement;
import io.fedistill.grpc.proto.Uplink;
import io.fedistill.grpc.proto.Welcome;
import io.fedistill.grpc.security.ClientTls;
import io.fedistill.grpc.security.ParticipantAuthenticator;
import io.fedistill.grpc.wire.PayloadAssembler;
import io.fedistill.grpc.wire.WireException;
import io.fedistill.grpc.wire.WireMessages;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts participants in their own process and connects out to a coordinator (so it works behind NAT
 * and firewalls): pulls tasks from its stream, answers them one at a time with the {@link
 * ParticipantHost}, sends each reply in chunks, keeps a heartbeat, and commits state only as the
 * coordinator settles. A dropped connection is opened again, naming the previous one, and the agent
 * resumes; a refusal (unknown participant, id already connected, wrong protocol) stops it.
 *
 * <p>A worker process of the parallel simulation is an agent hosting a slice of the virtual
 * participants; a real participant is an agent hosting one.
 */
public final class ParticipantAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantAgent.class);
    private static final int PROTOCOL_VERSION = 1;

    private final List<String> participantIds;
    private final Function<Federation, ParticipantHost> hostFactory;
    private final Long runSeed;
    private volatile ParticipantHost host;

    /** Whether the codec was set by the builder rather than taken from the Welcome. */
    private final boolean codecFixed;

    /** The codec of replies: the builder's, or the Welcome's; set before the first task. */
    private volatile Codec codec;

    private final ManagedChannel channel;
    private final CoordinatorGrpc.CoordinatorStub stub;
    private final BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(
                    DaemonThreads.named("fedistill-agent-timer"));
    private final java.util.concurrent.ExecutorService sender =
            Executors.newSingleThreadExecutor(DaemonThreads.named("fedistill-agent-sender"));
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Set<String> answered =
            Collections.newSetFromMap(
                    new LinkedHashMap<>() {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                            return size() > 10_000;
                        }
                    });
    private volatile String connectionId = "";
    private volatile Welcome welcome;
    private volatile ScheduledFuture<?> heartbeat;
    private volatile boolean stopping;
    private final Thread worker;
    private final String target;
    private final Duration firstContactTimeout;
    private final long firstContactDeadline;
    private final Duration reconnectTimeout;
    private volatile long lostSinceNanos;

    private ParticipantAgent(Builder b) {
        this.host = b.host;
        this.participantIds = b.participantIds;
        this.hostFactory = b.hostFactory;
        this.runSeed = b.runSeed;
        this.codec = b.codec;
        this.codecFixed = b.codec != null;
        this.channel = channel(b);
        this.stub = CoordinatorGrpc.newStub(channel);
        this.worker = DaemonThreads.named("fedistill-agent").newThread(this::work);
        this.target = b.target;
        this.firstContactTimeout = b.firstContactTimeout;
        this.firstContactDeadline = System.nanoTime() + b.firstContactTimeout.toNanos();
        this.reconnectTimeout = b.reconnectTimeout;
    }

    private static ManagedChannel channel(Builder b) {
        NettyChannelBuilder channel =
                NettyChannelBuilder.forTarget(b.target)
                        .maxInboundMessageSize(WireMessages.MAX_MESSAGE_BYTES);
        if (b.tls == null) {
            channel.usePlaintext();
        } else {
            try {
                SslContextBuilder ssl =
                        GrpcSslContexts.forClient().trustManager(b.tls.trustedCa().toFile());
                if (b.tls.certificate().isPresent()) {
                    ssl.keyManager(
                            b.tls.certificate().get().toFile(),
                            b.tls.privateKey().orElseThrow().toFile());
                }
                channel.sslContext(ssl.build());
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        if (b.token != null) {
            Metadata headers = new Metadata();
            headers.put(ParticipantAuthenticator.AUTHORIZATION, "Bearer " + b.token);
            channel.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        return channel.build();
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Connects and starts answering tasks in the background; returns at once. */
    public ParticipantAgent start() {
        worker.start();
        connect();
        return this;
    }

    /**
     * Waits until the coordinator ends the run (or the agent is refused or closed).
     *
     * @return whether it ended within the timeout
     * @throws IllegalStateException with the coordinator's words when the agent was refused
     */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        boolean done = finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Throwable cause = failure.get();
        if (cause != null) {
            throw new IllegalStateException(cause.getMessage(), cause);
        }
        return done;
    }

    private void connect() {
        if (stopping) {
            return;
        }
        ConnectRequest request =
                ConnectRequest.newBuilder()
                        .setProtocolVersion(PROTOCOL_VERSION)
                        .addAllParticipantIds(participantIds)
                        .setPreviousConnectionId(connectionId)
                        .build();
        stub.connect(request, new TaskStream());
    }

    /** Reads the task stream: collects chunked tasks and queues them with settlements in order. */
    private final class TaskStream implements StreamObserver<Downlink> {
        private PayloadAssembler assembler;

        @Override
        public void onNext(Downlink item) {
            try {
                switch (item.getItemCase()) {
                    case WELCOME -> welcomed(item.getWelcome());
                    case TASK -> assembler = new PayloadAssembler(item.getTask(), limit());
                    case CHUNK -> {
                        if (assembler == null) {
                            throw new WireException("a chunk before its task's header");
                        }
                        if (assembler.add(item.getChunk())) {
                            Message task =
                                    WireMessages.decode(assembler.header(), assembler.payload());
                            assembler = null;
                            work.add(() -> answer(task));
                        }
                    }
                    case SETTLEMENT -> {
                        Settlement settlement = item.getSettlement();
                        work.add(
                                () ->
                                        host.settle(
                                                settlement.getAcceptedList(),
                                                settlement.getRejectedList()));
                    }
                    default -> throw new WireException("an empty item");
                }
            } catch (WireException e) {
                LOG.warn("malformed task from the coordinator: {}", e.getMessage());
                assembler = null;
            }
        }

        @Override
        public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            switch (status.getCode()) {
                case PERMISSION_DENIED,
                        ALREADY_EXISTS,
                        FAILED_PRECONDITION,
                        UNAUTHENTICATED,
                        INVALID_ARGUMENT -> {
                    LOG.error(
                            "the coordinator refused this participant: {}",
                            status.getDescription());
                    fail(new IllegalStateException(status.getDescription()));
                }
                default -> {
                    if (welcome == null && System.nanoTime() > firstContactDeadline) {
                        String reason = reason(status);
                        LOG.error("cannot reach the coordinator at {}: {}", target, reason);
                        fail(
                                new IllegalStateException(
                                        "cannot reach the coordinator at "
                                                + target
                                                + " within "
                                                + firstContactTimeout.toSeconds()
                                                + " s: "
                                                + reason));
                    } else if (welcome != null && lostFor() > reconnectTimeout.toNanos()) {
                        LOG.error(
                                "lost the coordinator at {} for over {} s; giving up",
                                target,
                                reconnectTimeout.toSeconds());
                        fail(
                                new IllegalStateException(
                                        "lost the coordinator at "
                                                + target
                                                + ": no answer for "
                                                + reconnectTimeout.toSeconds()
                                                + " s ("
                                                + reason(status)
                                                + ")"));
                    } else if (!stopping) {
                        LOG.info("connection lost ({}); reconnecting", status.getCode());
                        timers.schedule(ParticipantAgent.this::connect, 500, TimeUnit.MILLISECONDS);
                    }
                }
            }
        }

        @Override
        public void onCompleted() {
            LOG.info("the coordinator ended the run");
            stopping = true;
            finished.countDown();
        }
    }

    /** Returns how long the connection has been lost (starting the count on the first call). */
    private long lostFor() {
        long now = System.nanoTime();
        if (lostSinceNanos == 0) {
            lostSinceNanos = now;
        }
        return now - lostSinceNanos;
    }

    /** The most telling words about a failed call: the innermost cause's, or the status's. */
    private static String reason(Status status) {
        Throwable cause = status.getCause();
        String words = status.getDescription();
        while (cause != null) {
            if (cause.getMessage() != null) {
                words = cause.getMessage();
            }
            cause = cause.getCause();
        }
        return words != null ? words : status.getCode().toString();
    }

    private long limit() {
        Welcome w = welcome;
        return w == null ? WireMessages.DEFAULT_MAX_PAYLOAD_BYTES : w.getMaxPayloadBytes();
    }

    /**
     * What the coordinator says about the federation when a participant connects: enough, with the
     * participant's own data, to build its learner.
     *
     * @param runSeed the run's seed
     * @param codec the codec of tensor values
     * @param description the coordinator's experiment (YAML)
     * @param algorithm the label of the algorithm this run executes
     */
    public record Federation(long runSeed, String codec, String description, String algorithm) {}

    private void welcomed(Welcome welcome) {
        if (runSeed != null && welcome.getRunSeed() != runSeed) {
            fail(
                    new IllegalStateException(
                            "this participant was built for run seed "
                                    + runSeed
                                    + ", the coordinator runs seed "
                                    + welcome.getRunSeed()));
            return;
        }
        if (codecFixed && !welcome.getCodec().equals(codec.name())) {
            fail(
                    new IllegalStateException(
                            "the coordinator uses codec '"
                                    + welcome.getCodec()
                                    + "', this participant '"
                                    + codec.name()
                                    + "'"));
            return;
        }
        if (!codecFixed && (codec == null || !codec.name().equals(welcome.getCodec()))) {
            try {
                codec = Codec.forName(welcome.getCodec());
            } catch (IllegalArgumentException e) {
                fail(
                        new IllegalStateException(
                                "the coordinator's codec cannot be used: " + e.getMessage()));
                return;
            }
        }
        boolean newCoordinator =
                this.welcome == null
                        || !this.welcome
                                .getCoordinatorInstance()
                                .equals(welcome.getCoordinatorInstance());
        this.welcome = welcome;
        this.connectionId = welcome.getConnectionId();
        this.lostSinceNanos = 0;
        if (newCoordinator && welcome.getResumed()) {
            int round = welcome.getResumedAfterRound();
            LOG.info(
                    "the coordinator resumed after round {}; going back to that round's state",
                    round);
            work.add(
                    () -> {
                        if (host != null) {
                            host.rewind(round);
                        }
                    });
        }
        if (host == null && hostFactory != null) {
            Federation federation =
                    new Federation(
                            welcome.getRunSeed(),
                            welcome.getCodec(),
                            welcome.getFederation(),
                            welcome.getAlgorithm());
            // built on the answering thread, ahead of any task; heartbeats go on meanwhile
            work.add(
                    () -> {
                        try {
                            host = hostFactory.apply(federation);
                        } catch (RuntimeException e) {
                            LOG.error("cannot join this federation: {}", e.getMessage());
                            fail(e);
                        }
                    });
        }
        if (heartbeat == null) {
            long interval = Math.max(50, welcome.getHeartbeatIntervalMs());
            heartbeat =
                    timers.scheduleAtFixedRate(
                            this::beat, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    private void beat() {
        try {
            CoordinatorGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .heartbeat(HeartbeatRequest.newBuilder().setConnectionId(connectionId).build());
        } catch (StatusRuntimeException e) {
            LOG.debug("heartbeat failed: {}", e.getStatus().getCode());
        }
    }

    private io.grpc.ClientInterceptor connectionHeader() {
        Metadata headers = new Metadata();
        headers.put(ConnectionIds.HEADER, connectionId);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    private void work() {
        try {
            while (!stopping || !work.isEmpty()) {
                Runnable next = work.poll(100, TimeUnit.MILLISECONDS);
                if (next != null) {
                    next.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void answer(Message task) {
        if (host == null) {
            return; // the host could not be built; the agent is stopping
        }
        if (!answered.add(task.id())) {
            return; // sent again after a reconnect, and already answered
        }
        ParticipantState state = host.open(task);
        Message reply = host.answer(task, state);
        long expires = System.nanoTime() + task.timeToLive().toNanos();
        int chunkBytes =
                welcome == null ? WireMessages.DEFAULT_CHUNK_BYTES : welcome.getMaxChunkBytes();
        // encoded here, so top-k's error feedback is staged with the participant's other writes;
        // a reply that cannot be encoded goes out as a failure naming why, and the agent goes on
        Message sent = reply;
        List<Uplink> items;
        try {
            items =
                    WireMessages.replyItems(
                            reply, codec, chunkBytes, task, FeedbackMemory.in(state));
        } catch (RuntimeException e) {
            sent = Message.failure(task, "the reply could not be encoded: " + e.getMessage());
            items = WireMessages.replyItems(sent, codec, chunkBytes, task, FeedbackMemory.none());
        }
        Message outgoing = sent;
        List<Uplink> outgoingItems = items;
        // replies go out on their own thread, so the next task starts while this one travels
        sender.execute(() -> send(outgoing, outgoingItems, expires));
    }

    /**
     * Sends a reply, again after a lost connection, until the coordinator takes it or it expires.
     */
    private void send(Message reply, List<Uplink> items, long expiresNanos) {
        while (!stopping && System.nanoTime() < expiresNanos) {
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            StreamObserver<Uplink> call =
                    stub.withInterceptors(connectionHeader())
                            .reply(
                                    new StreamObserver<ReplyAck>() {
                                        @Override
                                        public void onNext(ReplyAck ack) {}

                                        @Override
                                        public void onError(Throwable t) {
                                            acknowledged.completeExceptionally(t);
                                        }

                                        @Override
                                        public void onCompleted() {
                                            acknowledged.complete(null);
                                        }
                                    });
            items.forEach(call::onNext);
            call.onCompleted();
            try {
                acknowledged.get(
                        Math.max(1, expiresNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                Status status = Status.fromThrowable(e.getCause());
                if (status.getCode() != Status.Code.UNAVAILABLE) {
                    LOG.warn(
                            "reply to task {} refused: {} {}",
                            reply.replyTo().orElse("?"),
                            status.getCode(),
                            status.getDescription());
                    return;
                }
                sleepQuietly(200);
            }
        }
        if (!stopping) {
            LOG.warn(
                    "reply to task {} expired before the coordinator took it",
                    reply.replyTo().orElse("?"));
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fail(Throwable cause) {
        failure.compareAndSet(null, cause);
        stopping = true;
        finished.countDown();
    }

    @Override
    public void close() {
        stopping = true;
        finished.countDown();
        timers.shutdownNow();
        sender.shutdownNow();
        channel.shutdownNow();
        try {
            worker.join(5_000);
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects an agent's parts; {@code set} values are required. */
    public static final class Builder {
        private ParticipantHost host;
        private List<String> participantIds;
        private Function<Federation, ParticipantHost> hostFactory;
        private String target;
        private Long runSeed;
        private Codec codec;
        private ClientTls tls;
        private String token;
        private Duration firstContactTimeout = Duration.ofSeconds(60);
        private Duration reconnectTimeout = Duration.ofMinutes(10);

        /**
         * Sets how long the agent keeps reconnecting after it lost a coordinator that had welcomed
         * it (default 10 minutes: long enough for `serve --resume`), before it gives up and stops.
         */
        public Builder optReconnectTimeout(Duration timeout) {
            this.reconnectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        private Builder() {}

        /**
         * Sets how long the agent keeps trying to reach the coordinator the first time (default 60
         * s); once welcomed it reconnects after any loss for as long as the run lasts.
         */
        public Builder optFirstContactTimeout(Duration timeout) {
            this.firstContactTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Connects over TLS, trusting the federation's CA (and presenting a certificate). */
        public Builder optTls(ClientTls tls) {
            this.tls = tls;
            return this;
        }

        /** Authenticates with a token (sent as a bearer header; never logged). */
        public Builder optToken(String token) {
            this.token = token == null ? null : token.strip();
            return this;
        }

        /** Sets the participants this agent hosts, built before it connects. */
        public Builder setHost(ParticipantHost host) {
            this.host = host;
            this.participantIds = host.participantIds();
            return this;
        }

        /**
         * Sets the participants this agent hosts, built from what the coordinator says about the
         * federation when it first connects (a participant that brings only its own data).
         */
        public Builder setHostFactory(
                List<String> participantIds, Function<Federation, ParticipantHost> factory) {
            this.participantIds = List.copyOf(participantIds);
            this.hostFactory = Objects.requireNonNull(factory);
            return this;
        }

        /** Sets the coordinator's address, {@code host:port}. */
        public Builder setCoordinator(String target) {
            this.target = target;
            return this;
        }

        /** Sets the run seed the participants were built for; the coordinator must run it. */
        public Builder optRunSeed(long runSeed) {
            this.runSeed = runSeed;
            return this;
        }

        /**
         * Sets the codec the coordinator must announce (by default the participant takes the one
         * its Welcome names).
         */
        public Builder optCodec(Codec codec) {
            this.codec = codec;
            return this;
        }

        /** Builds the agent (not yet connected; see {@link ParticipantAgent#start()}). */
        public ParticipantAgent build() {
            if (participantIds == null || participantIds.isEmpty()) {
                throw new IllegalStateException("a host or a host factory is required");
            }
            Objects.requireNonNull(target, "coordinator address is required");
            return new ParticipantAgent(this);
        }
    }
}
