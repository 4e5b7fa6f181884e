package io.fedistill.core.participant;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.tensor.TensorRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every virtual participant's state as encoded bytes, so an idle participant costs its
 * serialized weights and logits rather than a live model with native memory.
 *
 * <p>What a participant saves while answering a request is staged under that request's id and
 * becomes its state only when the coordinator accepts the reply ({@link #commit}); a rejected, late
 * or failed request's writes are dropped ({@link #discard}), and so is anything a request writes
 * after it was settled. A participant has at most one open request: opening a new one drops what an
 * older one staged.
 */
public final class StateStore {
    private final Codec codec;
    private final Map<String, byte[]> committed = new ConcurrentHashMap<>();
    private final Map<String, Staged> open = new HashMap<>();

    /** What one open request has written so far. */
    private record Staged(String participantId, Map<String, byte[]> writes) {}

    /** Creates a store that serializes with {@code codec} (use a lossless one). */
    public StateStore(Codec codec) {
        this.codec = codec;
    }

    /**
     * Opens a request to a participant and returns the state its handler sees: the committed state
     * overlaid with what this request has written.
     */
    public synchronized ParticipantState open(String participantId, String requestId) {
        open.values().removeIf(staged -> staged.participantId.equals(participantId));
        open.put(requestId, new Staged(participantId, new HashMap<>()));
        return new ParticipantState() {
            @Override
            public Optional<TensorRecord> load(String key) {
                byte[] bytes = read(participantId, requestId, key);
                return bytes == null ? Optional.empty() : Optional.of(codec.decodeRecord(bytes));
            }

            @Override
            public void save(String key, TensorRecord record) {
                write(requestId, key, codec.encodeRecord(record));
            }
        };
    }

    private synchronized byte[] read(String participantId, String requestId, String key) {
        Staged staged = open.get(requestId);
        if (staged != null && staged.writes.containsKey(key)) {
            return staged.writes.get(key);
        }
        return committed.get(participantId + '/' + key);
    }

    private synchronized void write(String requestId, String key, byte[] bytes) {
        Staged staged = open.get(requestId);
        if (staged != null) {
            staged.writes.put(key, bytes);
        }
    }

    /** Makes what the request staged its participant's state. */
    public synchronized void commit(String requestId) {
        Staged staged = open.remove(requestId);
        if (staged != null) {
            staged.writes.forEach(
                    (key, bytes) -> committed.put(staged.participantId + '/' + key, bytes));
        }
    }

    /** Drops what the request staged. */
    public synchronized void discard(String requestId) {
        open.remove(requestId);
    }

    /** Returns a copy of the committed state, {@code participant/key} to encoded bytes, sorted. */
    public synchronized Map<String, byte[]> committedEntries() {
        return new java.util.TreeMap<>(committed);
    }

    /** Replaces the committed state with entries {@link #committedEntries} returned. */
    public synchronized void restore(Map<String, byte[]> entries) {
        open.clear();
        committed.clear();
        committed.putAll(entries);
    }

    /** Returns the total bytes of committed state. */
    public long storedBytes() {
        return committed.values().stream().mapToLong(b -> b.length).sum();
    }
}
