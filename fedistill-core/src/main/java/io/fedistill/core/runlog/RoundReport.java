package io.fedistill.core.runlog;

import io.fedistill.core.fleet.Channel;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.message.Metrics;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything measured in one round: who took part, who failed, every counted message, time, the
 * strategy's own metrics and the evaluation if the round was evaluated.
 *
 * @param round the round, from 1
 * @param selected participants selected
 * @param failures participants without a usable reply to an algorithm message, with reasons (a
 *     participant may fail more than one exchange of a round)
 * @param evaluationFailures participants without a usable evaluation reply
 * @param traffic every message of the round as counted on the wire
 * @param wallSeconds wall time of the round including evaluation
 * @param strategyMetrics what the strategy reported
 * @param evaluation the evaluation, when this round was evaluated
 */
public record RoundReport(
        int round,
        List<String> selected,
        List<ParticipantFailure> failures,
        List<ParticipantFailure> evaluationFailures,
        List<TrafficLedger.Entry> traffic,
        double wallSeconds,
        Metrics strategyMetrics,
        Optional<EvaluationSummary> evaluation) {

    /** Freezes the lists. */
    public RoundReport {
        selected = List.copyOf(selected);
        failures = List.copyOf(failures);
        evaluationFailures = List.copyOf(evaluationFailures);
        traffic = List.copyOf(traffic);
    }

    /** Returns the algorithm bytes sent from participants to the coordinator. */
    public long bytesUp() {
        return bytes(Channel.ALGORITHM, Direction.UP);
    }

    /** Returns the algorithm bytes sent from the coordinator to participants. */
    public long bytesDown() {
        return bytes(Channel.ALGORITHM, Direction.DOWN);
    }

    /** Returns the bytes of one channel and direction in this round. */
    public long bytes(Channel channel, Direction direction) {
        return traffic.stream()
                .filter(e -> e.channel() == channel && e.transfer().direction() == direction)
                .mapToLong(e -> e.transfer().bytes())
                .sum();
    }

    /**
     * Returns every participant that failed anything in this round, algorithm or evaluation, each
     * once, sorted.
     */
    public Set<String> failedParticipants() {
        Set<String> failed = new TreeSet<>();
        failures.forEach(f -> failed.add(f.participantId()));
        evaluationFailures.forEach(f -> failed.add(f.participantId()));
        return failed;
    }

    /**
     * Returns whether every selected participant failed an algorithm exchange, so that nothing this
     * round could be learned from anyone.
     */
    public boolean everyParticipantFailed() {
        Set<String> failed = new HashSet<>();
        failures.forEach(f -> failed.add(f.participantId()));
        return !selected.isEmpty() && failed.containsAll(selected);
    }

    /**
     * Returns this report as one flat row of named values, the columns of {@code metrics.csv};
     * absent evaluation values are NaN.
     */
    public Map<String, Object> toRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("participants_selected", selected.size());
        row.put("participants_failed", failedParticipants().size());
        row.put("bytes_up", bytesUp());
        row.put("bytes_down", bytesDown());
        row.put("eval_bytes_up", bytes(Channel.EVALUATION, Direction.UP));
        row.put("eval_bytes_down", bytes(Channel.EVALUATION, Direction.DOWN));
        row.put("wall_seconds", wallSeconds);
        EvaluationSummary e = evaluation.orElse(null);
        row.put("test_acc_mean", e == null ? Double.NaN : e.testAccuracyMean());
        row.put("test_acc_min", e == null ? Double.NaN : e.testAccuracyMin());
        row.put("test_acc_max", e == null ? Double.NaN : e.testAccuracyMax());
        row.put("test_loss_mean", e == null ? Double.NaN : e.testLossMean());
        row.put("local_acc_mean", e == null ? Double.NaN : e.localAccuracyMean());
        row.put("local_acc_min", e == null ? Double.NaN : e.localAccuracyMin());
        row.put("local_acc_max", e == null ? Double.NaN : e.localAccuracyMax());
        row.put("local_acc_pooled", e == null ? Double.NaN : e.localAccuracyPooled());
        row.put("local_loss_mean", e == null ? Double.NaN : e.localLossMean());
        row.put(
                "participants_one_class",
                // a count where evaluated (not promoted to a double), NaN where not
                e == null ? (Object) Double.NaN : (Object) e.participantsPredictingOneClass());
        row.put("global_acc", e == null ? Double.NaN : e.globalAccuracy().orElse(Double.NaN));
        row.put("global_loss", e == null ? Double.NaN : e.globalLoss().orElse(Double.NaN));
        StringBuilder strategy = new StringBuilder();
        strategyMetrics
                .values()
                .forEach(
                        (name, value) ->
                                strategy.append(strategy.length() == 0 ? "" : ";")
                                        .append(name)
                                        .append('=')
                                        .append(
                                                String.format(
                                                        java.util.Locale.ROOT, "%.6g", value)));
        row.put("strategy_metrics", strategy.toString());
        return row;
    }
}
