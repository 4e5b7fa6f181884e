package io.fedistill.core.codec;

import io.fedistill.core.learner.ParticipantState;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where top-k sparsification keeps, per stream of tensors, the values it has not sent yet (error
 * feedback). A participant keeps its uploads' in its state ({@link #in(ParticipantState)}), so they
 * are committed with an accepted reply, dropped with a rejected one, checkpointed and rewound like
 * the rest of its state; a coordinator keeps its downloads' in memory ({@link #inMemory()}).
 */
public interface FeedbackMemory {
    /** Returns what the stream has not sent yet, if anything. */
    Optional<Tensor> residual(String stream);

    /** Keeps what the stream did not send now, replacing the earlier residual. */
    void remember(String stream, Tensor residual);

    /** Returns a memory held in this process, empty at first. */
    static Held inMemory() {
        return new Held();
    }

    /**
     * A memory held in this process (a coordinator's, for its tasks), which a checkpoint can hold:
     * {@link #snapshot} and {@link #restore}.
     */
    final class Held implements FeedbackMemory {
        private final Map<String, Tensor> residuals = new ConcurrentHashMap<>();

        private Held() {}

        @Override
        public Optional<Tensor> residual(String stream) {
            return Optional.ofNullable(residuals.get(stream));
        }

        @Override
        public void remember(String stream, Tensor residual) {
            residuals.put(stream, residual);
        }

        /** Returns every stream's residual, named by its stream, in stream order. */
        public TensorRecord snapshot() {
            TensorRecord.Builder out = TensorRecord.builder();
            new TreeMap<>(residuals)
                    .forEach((stream, residual) -> out.put(stream, residual, TensorRole.EXACT));
            return out.build();
        }

        /** Replaces what is held with a {@link #snapshot}. */
        public void restore(TensorRecord snapshot) {
            residuals.clear();
            snapshot.names().forEach(stream -> residuals.put(stream, snapshot.get(stream)));
        }
    }

    /** Returns a memory that keeps nothing: every tensor is sparsified as if sent first. */
    static FeedbackMemory none() {
        return new FeedbackMemory() {
            @Override
            public Optional<Tensor> residual(String stream) {
                return Optional.empty();
            }

            @Override
            public void remember(String stream, Tensor residual) {}
        };
    }

    /**
     * Returns a memory in a participant's state, one key per stream ({@code codec-feedback:}
     * followed by the stream).
     */
    static FeedbackMemory in(ParticipantState state) {
        return new FeedbackMemory() {
            private static final String KEY = "codec-feedback:";
            private static final String RESIDUAL = "residual";

            @Override
            public Optional<Tensor> residual(String stream) {
                return state.load(KEY + stream).flatMap(record -> record.find(RESIDUAL));
            }

            @Override
            public void remember(String stream, Tensor residual) {
                state.save(KEY + stream, TensorRecord.of(RESIDUAL, residual, TensorRole.EXACT));
            }
        };
    }
}
