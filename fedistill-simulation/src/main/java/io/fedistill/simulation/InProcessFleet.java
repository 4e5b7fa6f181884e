package io.fedistill.simulation;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.participant.DaemonThreads;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.grpc.wire.WireMessages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Virtual participants inside this JVM. Every message goes through the network runtime's wire
 * format (protobuf header and chunks, tensor values in the run's codec) and is decoded again, so
 * byte counts are the deployment's and codec effects are real.
 *
 * <p>Participants run one after another on one worker thread: the engine allows one gradient
 * collector per process. Worker processes (the network runtime's agents, each hosting a slice of
 * the participants) spread them over cores behind the same {@link FleetBackend} interface.
 */
public final class InProcessFleet implements FleetBackend {
    private final ParticipantHost host;
    private final Codec codec;
    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(DaemonThreads.named("fedistill-participant"));

    /**
     * Creates the fleet.
     *
     * @param host the participants, their state and simulated failures
     * @param codec the wire codec
     */
    public InProcessFleet(ParticipantHost host, Codec codec) {
        this.host = host;
        this.codec = codec;
    }

    @Override
    public List<String> participantIds() {
        return host.participantIds();
    }

    @Override
    public ExchangeResult deliver(List<Message> requests, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        List<Message> replies = new ArrayList<>();
        List<ParticipantFailure> failed = new ArrayList<>();
        List<Transfer> transfers = new ArrayList<>();
        for (Message request : requests) {
            String id = request.participantId();
            if (!host.hosts(id)) {
                failed.add(new ParticipantFailure(id, request.round(), "no such participant"));
                continue;
            }
            WireMessages.Carried down = WireMessages.carry(request, codec, true);
            transfers.add(new Transfer(id, Direction.DOWN, down.wireBytes()));
            ParticipantState state = host.open(request);
            Future<WireMessages.Carried> pending =
                    worker.submit(
                            () ->
                                    WireMessages.carry(
                                            host.answer(down.message(), state), codec, false));
            try {
                long wait = Math.min(end - System.nanoTime(), request.timeToLive().toNanos());
                WireMessages.Carried up = pending.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                transfers.add(new Transfer(id, Direction.UP, up.wireBytes()));
                replies.add(up.message());
            } catch (TimeoutException e) {
                pending.cancel(true);
                failed.add(
                        new ParticipantFailure(
                                id, request.round(), "missed the deadline of " + deadline));
            } catch (ExecutionException e) {
                failed.add(
                        new ParticipantFailure(
                                id,
                                request.round(),
                                "reply could not be delivered: " + e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(new ParticipantFailure(id, request.round(), "interrupted"));
                break;
            }
        }
        return new ExchangeResult(replies, failed, transfers);
    }

    @Override
    public void settle(List<String> accepted, List<String> rejected) {
        host.settle(accepted, rejected);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
