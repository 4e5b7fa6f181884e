package io.fedistill.core.message;

import io.fedistill.core.tensor.TensorRecord;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One immutable message between the coordinator and a participant: named tensors, metrics and
 * config, addressed by round, type and participant, with its own id, the id of the request it
 * answers, and how long it stays worth delivering.
 *
 * <p>A reply carries content or an error, never both.
 *
 * @param id this message's unique id
 * @param replyTo the id of the request this message answers; empty for a request
 * @param timeToLive how long after sending the message is still worth delivering or answering
 * @param round the round this message belongs to (1-based; 0 for setup traffic)
 * @param type what is asked or answered
 * @param participantId the participant this message goes to or comes from
 * @param tensors the payload
 * @param metrics reported numbers
 * @param config settings for the participant
 * @param error a participant-side failure reason; when present the other fields are empty
 */
public record Message(
        String id,
        Optional<String> replyTo,
        Duration timeToLive,
        int round,
        MessageType type,
        String participantId,
        TensorRecord tensors,
        Metrics metrics,
        ConfigRecord config,
        Optional<String> error) {

    /** How long a request stays worth answering unless its sender says otherwise. */
    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofMinutes(30);

    private static final int MAX_ID_LENGTH = 64;

    /** Validates the fields. */
    public Message {
        checkId(id, "id");
        Objects.requireNonNull(replyTo, "replyTo");
        replyTo.ifPresent(r -> checkId(r, "replyTo"));
        Objects.requireNonNull(timeToLive, "timeToLive");
        if (timeToLive.isNegative() || timeToLive.isZero()) {
            throw new IllegalArgumentException("timeToLive must be positive, got " + timeToLive);
        }
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, got " + round);
        }
        Objects.requireNonNull(type, "type");
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

    private static void checkId(String id, String field) {
        Objects.requireNonNull(id, field);
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(
                    field + " must be 1 to " + MAX_ID_LENGTH + " characters, got " + id.length());
        }
    }

    /** Starts a request to a participant, with a fresh id. */
    public static Builder builder(int round, MessageType type, String participantId) {
        return new Builder(Optional.empty(), DEFAULT_TIME_TO_LIVE, round, type, participantId);
    }

    /** Returns an error reply to {@code request}. */
    public static Message failure(Message request, String reason) {
        return new Message(
                newId(),
                Optional.of(request.id),
                request.timeToLive,
                request.round,
                request.type,
                request.participantId,
                TensorRecord.empty(),
                Metrics.empty(),
                ConfigRecord.empty(),
                Optional.of(reason));
    }

    /**
     * Returns a builder for a reply to this message: a fresh id, replying to this one, same round,
     * type, participant and time to live.
     */
    public Builder reply() {
        return new Builder(Optional.of(id), timeToLive, round, type, participantId);
    }

    /** Returns this message with another config, the same in every other field, id included. */
    public Message withConfig(ConfigRecord replacement) {
        return with(tensors, metrics, replacement);
    }

    /** Returns this message with other tensors, the same in every other field, id included. */
    public Message withTensors(TensorRecord replacement) {
        return with(replacement, metrics, config);
    }

    /** Returns this message with other metrics, the same in every other field, id included. */
    public Message withMetrics(Metrics replacement) {
        return with(tensors, replacement, config);
    }

    private Message with(TensorRecord newTensors, Metrics newMetrics, ConfigRecord newConfig) {
        return new Message(
                id,
                replyTo,
                timeToLive,
                round,
                type,
                participantId,
                newTensors,
                newMetrics,
                newConfig,
                error);
    }

    /** Returns whether this message reports a participant-side failure. */
    public boolean isError() {
        return error.isPresent();
    }

    /** Returns a fresh message id. */
    private static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Collects the content of a message. */
    public static final class Builder {
        private final Optional<String> replyTo;
        private Duration timeToLive;
        private final int round;
        private final MessageType type;
        private final String participantId;
        private TensorRecord tensors = TensorRecord.empty();
        private Metrics metrics = Metrics.empty();
        private ConfigRecord config = ConfigRecord.empty();

        private Builder(
                Optional<String> replyTo,
                Duration timeToLive,
                int round,
                MessageType type,
                String participantId) {
            this.replyTo = replyTo;
            this.timeToLive = timeToLive;
            this.round = round;
            this.type = type;
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

        /** Sets how long the message stays worth delivering (default 30 minutes). */
        public Builder optTimeToLive(Duration timeToLive) {
            this.timeToLive = timeToLive;
            return this;
        }

        /** Builds the message. */
        public Message build() {
            return new Message(
                    newId(),
                    replyTo,
                    timeToLive,
                    round,
                    type,
                    participantId,
                    tensors,
                    metrics,
                    config,
                    Optional.empty());
        }
    }
}
