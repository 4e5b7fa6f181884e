package io.fedistill.simulation;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.codec.FeedbackMemory;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.participant.DaemonThreads;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.grpc.wire.WireMessages;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
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
 * collector per process. The calling thread carries the next tasks down and the finished replies up
 * meanwhile, so the wire format's cost overlaps training on a second core. Worker processes (the
 * network runtime's agents, each hosting a slice of the participants) spread them over cores behind
 * the same {@link FleetBackend} interface.
 */
public final class InProcessFleet implements FleetBackend {
    private final ParticipantHost host;
    private final Codec codec;
    private final Optional<CredentialVerifier> credentialVerifier;

    /**
     * Top-k's error feedback of the tasks sent down, per participant and tensor, which the
     * coordinator checkpoints with the round ({@link #snapshot}).
     */
    private final FeedbackMemory.Held downlinkFeedback = FeedbackMemory.inMemory();

    /**
     * Tasks carried down and queued beyond the one being collected, so that the coordinator's
     * thread encodes and decodes messages while the participant thread trains.
     */
    private static final int LOOK_AHEAD = 2;

    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(DaemonThreads.named("fedistill-participant"));

    /**
     * Creates the fleet.
     *
     * @param host the participants, their state and simulated failures
     * @param codec the wire codec
     */
    public InProcessFleet(ParticipantHost host, Codec codec) {
        this(host, codec, Optional.empty());
    }

    /**
     * Creates the fleet of participants that hold certificates, for signed secure aggregation.
     *
     * @param host the participants, their state, simulated failures and signing identities
     * @param codec the wire codec
     * @param credentialVerifier checks the participants' certificates
     */
    public InProcessFleet(
            ParticipantHost host, Codec codec, Optional<CredentialVerifier> credentialVerifier) {
        this.host = host;
        this.codec = codec;
        this.credentialVerifier = credentialVerifier;
    }

    @Override
    public Optional<CredentialVerifier> credentialVerifier() {
        return credentialVerifier;
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

    @Override
    public List<String> participantIds() {
        return host.participantIds();
    }

    @Override
    public ExchangeResult deliver(List<Message> requests, Duration deadline) {
        Delivery delivery = new Delivery(System.nanoTime() + deadline.toNanos(), deadline);
        Deque<Pending> queued = new ArrayDeque<>();
        try {
            for (Message request : requests) {
                if (delivery.interrupted) {
                    break;
                }
                queued.add(send(request));
                if (queued.size() > LOOK_AHEAD) {
                    delivery.collect(queued.poll());
                }
            }
            while (!queued.isEmpty()) {
                delivery.collect(queued.poll());
            }
        } finally {
            // a task that could not be carried stops the delivery: nothing queued keeps running
            queued.forEach(p -> p.cancel());
        }
        return new ExchangeResult(delivery.replies, delivery.failed, delivery.transfers);
    }

    /**
     * Carries a task down and queues its answer on the participant thread; an unknown participant
     * fails at once.
     */
    private Pending send(Message request) {
        String id = request.participantId();
        if (!host.hosts(id)) {
            return new Pending(request, null, null, null, null, "no such participant");
        }
        WireMessages.Carried down = WireMessages.carryTask(request, codec, downlinkFeedback);
        ParticipantState state = host.open(request);
        return new Pending(
                request,
                down.message(),
                state,
                new Transfer(id, Direction.DOWN, down.wireBytes()),
                worker.submit(() -> host.answer(down.message(), state)),
                null);
    }

    /**
     * A task carried down and queued on the participant thread, or refused before it was sent.
     *
     * @param received the task as the participant decoded it, what its reply may send changes from
     * @param state the participant's state staged for the task, where its reply's top-k feedback
     *     goes
     * @param down its traffic, recorded when it is collected (so the ledger lists each
     *     participant's task before its reply, as the network runtime does)
     */
    private record Pending(
            Message request,
            Message received,
            ParticipantState state,
            Transfer down,
            Future<Message> answer,
            String refusal) {
        void cancel() {
            if (answer != null) {
                answer.cancel(true);
            }
        }
    }

    /** What one delivery has collected so far, in the order of its requests. */
    private final class Delivery {
        private final long end;
        private final Duration deadline;
        private final List<Message> replies = new ArrayList<>();
        private final List<ParticipantFailure> failed = new ArrayList<>();
        private final List<Transfer> transfers = new ArrayList<>();
        private boolean interrupted;

        Delivery(long end, Duration deadline) {
            this.end = end;
            this.deadline = deadline;
        }

        /** Waits for a task's answer until its deadline and carries the reply up. */
        void collect(Pending pending) {
            Message request = pending.request();
            String id = request.participantId();
            if (pending.answer() == null) {
                fail(request, pending.refusal());
                return;
            }
            transfers.add(pending.down());
            if (interrupted) {
                pending.answer().cancel(true);
                fail(request, "interrupted");
                return;
            }
            try {
                long wait = Math.min(end - System.nanoTime(), request.timeToLive().toNanos());
                Message answer = pending.answer().get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                WireMessages.Carried up =
                        WireMessages.carryReply(
                                answer,
                                codec,
                                pending.received(),
                                FeedbackMemory.in(pending.state()));
                transfers.add(new Transfer(id, Direction.UP, up.wireBytes()));
                replies.add(up.message());
            } catch (TimeoutException e) {
                pending.answer().cancel(true);
                fail(request, "missed the deadline of " + deadline);
            } catch (ExecutionException e) {
                fail(request, "reply could not be delivered: " + e.getCause());
            } catch (RuntimeException e) {
                fail(request, "reply could not be delivered: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
                fail(request, "interrupted");
            }
        }

        private void fail(Message request, String reason) {
            failed.add(new ParticipantFailure(request.participantId(), request.round(), reason));
        }
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
