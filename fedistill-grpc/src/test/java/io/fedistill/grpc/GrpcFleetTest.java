package io.fedistill.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.grpc.coordinator.ConnectionIds;
import io.fedistill.grpc.coordinator.GrpcFleet;
import io.fedistill.grpc.participant.ParticipantAgent;
import io.fedistill.grpc.proto.Chunk;
import io.fedistill.grpc.proto.ConnectRequest;
import io.fedistill.grpc.proto.CoordinatorGrpc;
import io.fedistill.grpc.proto.Downlink;
import io.fedistill.grpc.proto.MessageHeader;
import io.fedistill.grpc.proto.ReplyAck;
import io.fedistill.grpc.proto.Uplink;
import io.fedistill.grpc.wire.WireMessages;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coordinator's gRPC fleet and participant agents over real loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcFleetTest {
    private static final MessageType ADD = MessageType.of("test", "add");
    private static final long SEED = 7;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /**
     * A learner that counts the tasks it committed: it replies with {@code x + count} and stores
     * {@code count + 1}, so a state committed twice or lost shows in the numbers.
     */
    static Learner counting(long sleepMillis) {
        return Learner.builder()
                .on(
                        ADD,
                        (request, context) -> {
                            if (sleepMillis > 0) {
                                try {
                                    Thread.sleep(sleepMillis);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            float count =
                                    context.state()
                                            .load("count")
                                            .map(r -> r.get("count").get(0))
                                            .orElse(0f);
                            context.state()
                                    .save(
                                            "count",
                                            TensorRecord.of("count", Tensor.vector(count + 1)));
                            float[] x = request.tensors().get("x").toFloatArray();
                            float[] sum = x.clone();
                            for (int i = 0; i < sum.length; i++) {
                                sum[i] += count;
                            }
                            return request.reply()
                                    .optTensors(
                                            TensorRecord.of(
                                                    "sum",
                                                    Tensor.of(
                                                            request.tensors().get("x").shape(),
                                                            sum)))
                                    .optMetrics(Metrics.of("examples", 1))
                                    .build();
                        })
                .build();
    }

    private GrpcFleet fleet(List<String> ids) {
        return fleet(ids, Duration.ofMillis(200));
    }

    private GrpcFleet fleet(List<String> ids, Duration heartbeat) {
        GrpcFleet fleet =
                GrpcFleet.builder()
                        .setParticipantIds(ids)
                        .optRunSeed(SEED)
                        .optHeartbeatInterval(heartbeat)
                        .build();
        open.add(fleet);
        return fleet;
    }

    private ParticipantAgent agent(GrpcFleet fleet, long sleepMillis, String... ids) {
        Map<String, Learner> learners = new LinkedHashMap<>();
        for (String id : ids) {
            learners.put(id, counting(sleepMillis));
        }
        ParticipantAgent agent =
                ParticipantAgent.builder()
                        .setHost(
                                new ParticipantHost(
                                        learners,
                                        new StateStore(Codec.fp32()),
                                        SEED,
                                        FailureInjection.none()))
                        .setCoordinator("127.0.0.1:" + fleet.port())
                        .optRunSeed(SEED)
                        .build()
                        .start();
        open.add(agent);
        return agent;
    }

    static List<Message> tasks(int round, int values, String... ids) {
        List<Message> tasks = new ArrayList<>();
        for (String id : ids) {
            float[] x = new float[values];
            x[0] = round;
            x[values - 1] = -round;
            tasks.add(
                    Message.builder(round, ADD, id)
                            .optTensors(TensorRecord.of("x", Tensor.of(new int[] {values}, x)))
                            .build());
        }
        return tasks;
    }

    private static void acceptAll(GrpcFleet fleet, List<Message> tasks) {
        fleet.settle(tasks.stream().map(Message::id).toList(), List.of());
    }

    @Test
    void agentsAnswerInRequestOrderAndStateFollowsSettlements() throws Exception {
        GrpcFleet fleet = fleet(List.of("a", "b", "c"));
        agent(fleet, 0, "a", "b");
        agent(fleet, 0, "c");
        assertThat(fleet.awaitOnline(3, Duration.ofSeconds(10))).isTrue();

        // 3 million values (12 MB) cross in 1 MiB chunks both ways
        List<Message> first = tasks(1, 3_000_000, "c", "a", "b");
        ExchangeResult result = fleet.deliver(first, Duration.ofSeconds(30));
        assertThat(result.failures()).isEmpty();
        assertThat(result.replies())
                .extracting(Message::participantId)
                .containsExactly("c", "a", "b");
        Tensor sum = result.replies().get(0).tensors().get("sum");
        assertThat(sum.get(0)).isEqualTo(1f);
        assertThat(sum.get(2_999_999)).isEqualTo(-1f);
        assertThat(result.replies().get(0).replyTo()).contains(first.get(0).id());
        assertThat(result.transfers())
                .hasSize(6)
                .allSatisfy(t -> assertThat(t.bytes()).isGreaterThan(12_000_000L));

        // a's reply is rejected, b's and c's accepted: only their counts advance
        fleet.settle(List.of(first.get(0).id(), first.get(2).id()), List.of(first.get(1).id()));
        List<Message> second = tasks(2, 4, "a", "b", "c");
        ExchangeResult next = fleet.deliver(second, Duration.ofSeconds(10));
        assertThat(next.replies())
                .extracting(r -> r.tensors().get("sum").get(1))
                .containsExactly(0f, 1f, 1f);
    }

    @Test
    void aResNet50SizedModelCrossesBothWaysWithoutRaisingTheMessageLimit() throws Exception {
        GrpcFleet fleet = fleet(List.of("a"));
        agent(fleet, 0, "a");
        assertThat(fleet.awaitOnline(1, Duration.ofSeconds(10))).isTrue();
        int values = 23_500_000; // ResNet-50's 94 MB of fp32 weights; messages stay <= 1.06 MB
        ExchangeResult result = fleet.deliver(tasks(1, values, "a"), Duration.ofSeconds(120));
        assertThat(result.failures()).isEmpty();
        Tensor sum = result.replies().get(0).tensors().get("sum");
        assertThat(sum.size()).isEqualTo(values);
        assertThat(sum.get(values - 1)).isEqualTo(-1f);
        assertThat(result.transfers())
                .hasSize(2)
                .allSatisfy(t -> assertThat(t.bytes()).isGreaterThan(94_000_000L));
    }

    @Test
    void offlineParticipantsFailAtOnceAndUnknownOrDuplicateIdsAreRefused() throws Exception {
        GrpcFleet fleet = fleet(List.of("a", "b"));
        agent(fleet, 0, "a");
        assertThat(fleet.awaitOnline(1, Duration.ofSeconds(10))).isTrue();
        long start = System.nanoTime();
        ExchangeResult result = fleet.deliver(tasks(1, 2, "a", "b"), Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.replies()).extracting(Message::participantId).containsExactly("a");
        assertThat(result.failures())
                .singleElement()
                .satisfies(f -> assertThat(f.reason()).isEqualTo("offline"));

        ParticipantAgent stranger = agent(fleet, 0, "mallory");
        assertThatThrownBy(() -> stranger.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("participant 'mallory' is not part of this federation");
        ParticipantAgent twin = agent(fleet, 0, "a");
        assertThatThrownBy(() -> twin.awaitFinished(Duration.ofSeconds(10)))
                .hasMessageContaining("participant 'a' is already connected");
        assertThat(fleet.deliver(tasks(2, 2, "a"), Duration.ofSeconds(10)).replies()).hasSize(1);
    }

    @Test
    void aParticipantThatDisappearsMidTaskFailsWithinTheGracePeriodAndAReplacementResumes()
            throws Exception {
        GrpcFleet fleet = fleet(List.of("a", "b"));
        agent(fleet, 0, "a");
        ParticipantAgent slow = agent(fleet, 5_000, "b");
        assertThat(fleet.awaitOnline(2, Duration.ofSeconds(10))).isTrue();
        CompletableFuture<ExchangeResult> round =
                CompletableFuture.supplyAsync(
                        () -> fleet.deliver(tasks(1, 2, "a", "b"), Duration.ofSeconds(60)));
        Thread.sleep(300);
        slow.close(); // b dies mid-task
        ExchangeResult result = round.get(10, TimeUnit.SECONDS);
        assertThat(result.replies()).extracting(Message::participantId).containsExactly("a");
        assertThat(result.failures())
                .singleElement()
                .satisfies(f -> assertThat(f.reason()).startsWith("offline: not heard from"));

        agent(fleet, 0, "b"); // b comes back
        assertThat(fleet.awaitOnline(2, Duration.ofSeconds(10))).isTrue();
        assertThat(fleet.deliver(tasks(2, 2, "a", "b"), Duration.ofSeconds(10)).replies())
                .hasSize(2);
    }

    @Test
    void malformedRepliesAndRepliesToUnsentTasksAreRefusedWithAStatus() throws Exception {
        // this hand-made client sends no heartbeats: a long interval keeps it counted online
        GrpcFleet fleet = fleet(List.of("a"), Duration.ofSeconds(30));
        ManagedChannel channel =
                NettyChannelBuilder.forTarget("127.0.0.1:" + fleet.port()).usePlaintext().build();
        open.add(channel::shutdownNow);
        Iterator<Downlink> stream =
                CoordinatorGrpc.newBlockingStub(channel)
                        .connect(
                                ConnectRequest.newBuilder()
                                        .setProtocolVersion(1)
                                        .addParticipantIds("a")
                                        .build());
        String connection = stream.next().getWelcome().getConnectionId();
        Metadata headers = new Metadata();
        headers.put(ConnectionIds.HEADER, connection);
        CoordinatorGrpc.CoordinatorStub stub =
                CoordinatorGrpc.newStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

        Message task = tasks(1, 2, "a").get(0);
        CompletableFuture<ExchangeResult> round =
                CompletableFuture.supplyAsync(
                        () ->
                                fleet.deliver(
                                        List.of(task),
                                        ReplySpec.metricsOnly("examples"),
                                        Duration.ofSeconds(5)));
        MessageHeader sent = stream.next().getTask();
        assertThat(sent.getId()).isEqualTo(task.id());

        Message reply = task.reply().optMetrics(Metrics.of("examples", 1)).build();
        MessageHeader header = WireMessages.encode(reply, Codec.fp32(), Direction.UP).header();
        // a chunk of another message
        assertThat(
                        send(
                                stub,
                                header,
                                Chunk.newBuilder().setMessageId("other").setLast(true).build()))
                .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .satisfies(
                        s -> assertThat(s.getDescription()).contains("chunk of message 'other'"));
        // a shape that does not match its bytes
        MessageHeader badShape =
                header.toBuilder()
                        .addTensors(
                                io.fedistill.grpc.proto.TensorHeader.newBuilder()
                                        .setName("w")
                                        .addShape(3)
                                        .setByteLength(8))
                        .build();
        assertThat(
                        send(
                                stub,
                                badShape,
                                Chunk.newBuilder()
                                        .setMessageId(reply.id())
                                        .setData(
                                                com.google.protobuf.ByteString.copyFrom(
                                                        new byte[8]))
                                        .setLast(true)
                                        .build()))
                .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .satisfies(
                        s ->
                                assertThat(s.getDescription())
                                        .contains("tensor 'w' of shape [3]")
                                        .doesNotContain("Exception")
                                        .doesNotContain("\tat "));
        // an unknown message type
        assertThat(send(stub, header.toBuilder().setType("Not A Type").build(), last(reply)))
                .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .satisfies(
                        s -> assertThat(s.getDescription()).contains("message type 'Not A Type'"));
        // a reply to a task never sent
        assertThat(send(stub, header.toBuilder().setReplyTo("never-sent").build(), last(reply)))
                .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND));
        // a reply for a participant this connection does not host
        assertThat(send(stub, header.toBuilder().setParticipantId("b").build(), last(reply)))
                .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        // a reply that breaks what the exchange expects (a NaN count) is refused on arrival, and
        // the participant fails the exchange
        Message nan = task.reply().optMetrics(Metrics.of("examples", Double.NaN)).build();
        assertThat(
                        send(
                                stub,
                                WireMessages.encode(nan, Codec.fp32(), Direction.UP).header(),
                                last(nan)))
                .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .satisfies(
                        s -> assertThat(s.getDescription()).isEqualTo("metric 'examples' is NaN"));
        assertThat(round.get(10, TimeUnit.SECONDS).failures())
                .singleElement()
                .satisfies(
                        f ->
                                assertThat(f.reason())
                                        .isEqualTo("reply refused: metric 'examples' is NaN"));
        // ... and once the round closed, any reply to it is refused
        assertThat(send(stub, header, last(reply)).getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }

    private static Chunk last(Message reply) {
        return Chunk.newBuilder().setMessageId(reply.id()).setLast(true).build();
    }

    private static Status send(
            CoordinatorGrpc.CoordinatorStub stub, MessageHeader header, Chunk chunk)
            throws Exception {
        CompletableFuture<Status> done = new CompletableFuture<>();
        StreamObserver<Uplink> call =
                stub.reply(
                        new StreamObserver<ReplyAck>() {
                            @Override
                            public void onNext(ReplyAck value) {}

                            @Override
                            public void onError(Throwable t) {
                                done.complete(Status.fromThrowable(t));
                            }

                            @Override
                            public void onCompleted() {
                                done.complete(Status.OK);
                            }
                        });
        call.onNext(Uplink.newBuilder().setReply(header).build());
        call.onNext(Uplink.newBuilder().setChunk(chunk).build());
        call.onCompleted();
        return done.get(10, TimeUnit.SECONDS);
    }
}
