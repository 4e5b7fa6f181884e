package io.fedistill.core.message;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable message between the coordinator and a participant: named tensors, metrics and
 * config, addressed by round, kind and participant.
 *
 * <p>A reply carries content or an error, never both.
 *
 * @param round the round this message belongs to (1-based; 0 for setup traffic)
 * @param kind what is asked or answered
 * @param participantId the participant this message goes to or comes from
 * @param tensors the payload
 * @param metrics reported numbers
 * @param config settings for the participant
 * @param error a participant-side failure reason; when present the other fields are empty
 */
public record Message(
        int round,
        MessageKind kind,
        String participantId,
        TensorRecord tensors,
        Metrics metrics,
        ConfigRecord config,
        Optional<String> error) {

    /** Validates the fields. */
    public Message {
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, got " + round);
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(error, "error");
        if (error.isPresent()
                && (!tensors.isEmpty()
                        || !metrics.values().isEmpty()
                        || !config.values().isEmpty())) {
            throw new IllegalArgumentException("a message carries content or an error, never both");
        }
    }

    /** Starts a message to or from a participant. */
    public static Builder builder(int round, MessageKind kind, String participantId) {
        return new Builder(round, kind, participantId);
    }

    /** Returns an error reply to {@code request}. */
    public static Message failure(Message request, String reason) {
        return new Message(
                request.round,
                request.kind,
                request.participantId,
                TensorRecord.empty(),
                Metrics.empty(),
                ConfigRecord.empty(),
                Optional.of(reason));
    }

    /** Returns a builder for a reply to this message (same round, kind and participant). */
    public Builder reply() {
        return new Builder(round, kind, participantId);
    }

    /** Returns whether this message reports a participant-side failure. */
    public boolean isError() {
        return error.isPresent();
    }

    /** Collects the content of a message. */
    public static final class Builder {
        private final int round;
        private final MessageKind kind;
        private final String participantId;
        private TensorRecord tensors = TensorRecord.empty();
        private Metrics metrics = Metrics.empty();
        private ConfigRecord config = ConfigRecord.empty();

        private Builder(int round, MessageKind kind, String participantId) {
            this.round = round;
            this.kind = kind;
            this.participantId = participantId;
        }

        /** Sets the tensors. */
        public Builder optTensors(TensorRecord tensors) {
            this.tensors = tensors;
            return this;
        }

        /** Sets the metrics. */
        public Builder optMetrics(Metrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** Sets the config. */
        public Builder optConfig(ConfigRecord config) {
            this.config = config;
            return this;
        }

        /** Builds the message. */
        public Message build() {
            return new Message(
                    round, kind, participantId, tensors, metrics, config, Optional.empty());
        }
    }
}
