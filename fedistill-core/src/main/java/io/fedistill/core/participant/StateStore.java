package io.fedistill.core.participant;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.tensor.TensorRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
    private final boolean keepPrevious;
    private final Map<String, Version> committed = new HashMap<>();
    private final Map<String, Staged> open = new HashMap<>();

    /** The newest request opened per participant (its entry may be settled already). */
    private final Map<String, String> openByParticipant = new HashMap<>();

    private final java.util.Set<String> changed = new java.util.TreeSet<>();

    /** What one open request has written so far, and the round it belongs to. */
    private record Staged(String participantId, int round, Map<String, byte[]> writes) {}

    /**
     * One key's committed state: its bytes, the round that committed them and, when versions are
     * kept, the state as it was before that round.
     */
    private record Version(int round, byte[] bytes, Version previous) {}

    /** Creates a store that serializes with {@code codec} (use a lossless one). */
    public StateStore(Codec codec) {
        this(codec, false);
    }

    /**
     * Creates a store that, with {@code keepPrevious}, also keeps each key's state from before the
     * latest round that changed it, so it can {@link #rewind} one round: what a participant process
     * needs when the coordinator restarts from its last checkpoint.
     */
    public StateStore(Codec codec, boolean keepPrevious) {
        this.codec = codec;
        this.keepPrevious = keepPrevious;
    }

    /**
     * Opens a request to a participant and returns the state its handler sees: the committed state
     * overlaid with what this request has written.
     */
    public synchronized ParticipantState open(String participantId, String requestId, int round) {
        open.put(requestId, new Staged(participantId, round, new HashMap<>()));
        String previous = openByParticipant.put(participantId, requestId);
        if (previous != null && !previous.equals(requestId)) {
            open.remove(previous); // a participant has one open request: the newest
        }
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
        Version version = committed.get(participantId + '/' + key);
        return version == null ? null : version.bytes;
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
            staged.writes.keySet().forEach(key -> changed.add(staged.participantId + '/' + key));
            staged.writes.forEach(
                    (key, bytes) ->
                            committed.merge(
                                    staged.participantId + '/' + key,
                                    new Version(staged.round, bytes, null),
                                    (old, now) ->
                                            new Version(
                                                    now.round,
                                                    now.bytes,
                                                    !keepPrevious
                                                            ? null
                                                            : old.round < now.round
                                                                    ? new Version(
                                                                            old.round, old.bytes,
                                                                            null)
                                                                    : old.previous)));
        }
    }

    /**
     * Drops state committed after {@code round}, going back to what was committed up to it (one
     * round back at most; state kept without versions is dropped whole): a participant's state as
     * of the coordinator's last checkpoint.
     */
    public synchronized void rewind(int round) {
        open.clear();
        openByParticipant.clear();
        var entries = committed.entrySet().iterator();
        while (entries.hasNext()) {
            var entry = entries.next();
            Version version = entry.getValue();
            if (version.round <= round) {
                continue;
            }
            if (version.previous != null && version.previous.round <= round) {
                entry.setValue(version.previous);
            } else {
                entries.remove();
            }
        }
    }

    /** Drops what the request staged. */
    public synchronized void discard(String requestId) {
        open.remove(requestId);
    }

    /**
     * Returns the committed state that changed since the last call (all of it the first time), and
     * forgets those changes: what an incremental checkpoint writes.
     */
    public synchronized Map<String, byte[]> drainChanges() {
        Map<String, byte[]> entries = new java.util.TreeMap<>();
        for (String key : changed) {
            Version version = committed.get(key);
            if (version != null) {
                entries.put(key, version.bytes);
            }
        }
        changed.clear();
        return entries;
    }

    /**
     * Returns one participant's committed state that changed since the last call (key to encoded
     * bytes), and forgets those changes: {@link #drainChanges()} for a participant whose
     * coordinator lives in another process.
     */
    public synchronized Map<String, byte[]> drainChanges(String participantId) {
        String prefix = participantId + '/';
        Map<String, byte[]> entries = new java.util.TreeMap<>();
        var keys = changed.iterator();
        while (keys.hasNext()) {
            String key = keys.next();
            if (key.startsWith(prefix)) {
                Version version = committed.get(key);
                if (version != null) {
                    entries.put(key.substring(prefix.length()), version.bytes);
                }
                keys.remove();
            }
        }
        return entries;
    }

    /**
     * Replaces one participant's committed state with entries (key to encoded bytes) a checkpoint
     * holds after {@code round}.
     */
    public synchronized void restore(String participantId, Map<String, byte[]> entries, int round) {
        String prefix = participantId + '/';
        committed.keySet().removeIf(key -> key.startsWith(prefix));
        changed.removeIf(key -> key.startsWith(prefix));
        entries.forEach(
                (key, bytes) -> committed.put(prefix + key, new Version(round, bytes, null)));
    }

    /**
     * Replaces the committed state with entries ({@code participant/key} to encoded bytes) a
     * checkpoint holds after {@code round}.
     */
    public synchronized void restore(Map<String, byte[]> entries, int round) {
        open.clear();
        openByParticipant.clear();
        committed.clear();
        entries.forEach((key, bytes) -> committed.put(key, new Version(round, bytes, null)));
        changed.clear();
    }

    /** Returns the codec the state is stored in. */
    public Codec codec() {
        return codec;
    }

    /** Returns the total bytes of committed state (previous versions included). */
    public synchronized long storedBytes() {
        long bytes = 0;
        for (Version version : committed.values()) {
            for (Version v = version; v != null; v = v.previous) {
                bytes += v.bytes.length;
            }
        }
        return bytes;
    }
}
