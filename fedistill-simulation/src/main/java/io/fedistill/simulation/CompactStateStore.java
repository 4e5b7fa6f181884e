package io.fedistill.simulation;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageKind;
import io.fedistill.core.tensor.TensorRecord;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every virtual participant's state as encoded bytes, so an idle participant costs its
 * serialized weights and logits rather than a live model with native memory.
 */
public final class CompactStateStore {
    private final Codec codec;
    private final Map<String, byte[]> entries = new ConcurrentHashMap<>();

    /** Creates a store that serializes with {@code codec} (use a lossless one). */
    public CompactStateStore(Codec codec) {
        this.codec = codec;
    }

    /** Returns the state view of one participant. */
    public ParticipantState stateOf(String participantId) {
        return new ParticipantState() {
            @Override
            public Optional<TensorRecord> load(String key) {
                byte[] bytes = entries.get(participantId + '/' + key);
                return bytes == null
                        ? Optional.empty()
                        : Optional.of(codec.decode(bytes).tensors());
            }

            @Override
            public void save(String key, TensorRecord record) {
                Message holder =
                        Message.builder(0, MessageKind.TRAIN, participantId)
                                .optTensors(record)
                                .build();
                entries.put(participantId + '/' + key, codec.encode(holder));
            }
        };
    }

    /** Returns the total bytes held. */
    public long storedBytes() {
        return entries.values().stream().mapToLong(b -> b.length).sum();
    }
}
