package io.fedistill.simulation;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.codec.CodecException;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.fleet.Transfer;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.MDC;

/**
 * Virtual participants inside this JVM. Every message is encoded and decoded with the run's codec
 * exactly as on a network, so byte counts and codec effects are real.
 *
 * <p>Participants run one after another on one worker thread: the engine allows one gradient
 * collector per process. Spreading participants over worker processes is a backend of its own
 * behind the same {@link FleetBackend} interface.
 */
public final class InProcessFleet implements FleetBackend {
    /** The logging context key under which a participant's log lines carry its id. */
    public static final String PARTICIPANT_LOG_KEY = "participant";

    private final Map<String, Learner> learners;
    private final CompactStateStore states;
    private final Codec codec;
    private final long runSeed;
    private final FailureInjection failures;
    private final ExecutorService worker =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread thread = new Thread(r, "fedistill-participant");
                        thread.setDaemon(true);
                        return thread;
                    });

    /**
     * Creates the fleet.
     *
     * @param learners each participant's learner, in fleet order
     * @param states where participants keep state between rounds
     * @param codec the wire codec
     * @param runSeed the run seed
     * @param failures simulated failures
     */
    public InProcessFleet(
            Map<String, Learner> learners,
            CompactStateStore states,
            Codec codec,
            long runSeed,
            FailureInjection failures) {
        this.learners = new LinkedHashMap<>(learners);
        this.states = states;
        this.codec = codec;
        this.runSeed = runSeed;
        this.failures = failures;
    }

    @Override
    public List<String> participantIds() {
        return List.copyOf(learners.keySet());
    }

    @Override
    public ExchangeResult deliver(List<Message> requests, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        List<Message> replies = new ArrayList<>();
        List<ParticipantFailure> failed = new ArrayList<>();
        List<Transfer> transfers = new ArrayList<>();
        for (Message request : requests) {
            String id = request.participantId();
            Learner learner = learners.get(id);
            if (learner == null) {
                failed.add(new ParticipantFailure(id, request.round(), "no such participant"));
                continue;
            }
            byte[] down = codec.encode(request);
            transfers.add(new Transfer(id, Direction.DOWN, down.length));
            ParticipantState state = states.open(id, request.id());
            Future<byte[]> pending =
                    worker.submit(() -> codec.encode(handle(learner, codec.decode(down), state)));
            try {
                byte[] up = pending.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                transfers.add(new Transfer(id, Direction.UP, up.length));
                replies.add(codec.decode(up));
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
            } catch (CodecException e) {
                failed.add(
                        new ParticipantFailure(
                                id,
                                request.round(),
                                "reply could not be decoded: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(new ParticipantFailure(id, request.round(), "interrupted"));
                break;
            }
        }
        return new ExchangeResult(replies, failed, transfers);
    }

    private Message handle(Learner learner, Message request, ParticipantState state) {
        String id = request.participantId();
        MDC.put(PARTICIPANT_LOG_KEY, id);
        try {
            if (!request.type().equals(MessageType.EVALUATE)
                    && failures.fails(id, request.round(), runSeed)) {
                throw new IllegalStateException(
                        "simulated failure of " + id + " in round " + request.round());
            }
            return learner.handle(request, new ParticipantContext(id, runSeed, state));
        } catch (RuntimeException e) {
            return Message.failure(request, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            MDC.remove(PARTICIPANT_LOG_KEY);
        }
    }

    @Override
    public void settle(List<String> accepted, List<String> rejected) {
        accepted.forEach(states::commit);
        rejected.forEach(states::discard);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
