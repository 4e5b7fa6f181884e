package io.fedistill.core.runlog;

import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.message.Metrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything measured in one round: who took part, who failed, bytes, time, the strategy's own
 * metrics and the evaluation if the round was evaluated.
 *
 * @param round the round, from 1
 * @param selected participants selected
 * @param failures participants without a usable reply, with reasons
 * @param bytesUp algorithm bytes participant to coordinator
 * @param bytesDown algorithm bytes coordinator to participant
 * @param evaluationBytesUp evaluation-only bytes up
 * @param evaluationBytesDown evaluation-only bytes down
 * @param wallSeconds wall time of the round including evaluation
 * @param strategyMetrics what the strategy reported
 * @param evaluation the evaluation, when this round was evaluated
 */
public record RoundReport(
        int round,
        List<String> selected,
        List<ParticipantFailure> failures,
        long bytesUp,
        long bytesDown,
        long evaluationBytesUp,
        long evaluationBytesDown,
        double wallSeconds,
        Metrics strategyMetrics,
        Optional<EvaluationSummary> evaluation) {

    /** Freezes the lists. */
    public RoundReport {
        selected = List.copyOf(selected);
        failures = List.copyOf(failures);
    }

    /**
     * Returns this report as one flat row of named values, the columns of {@code metrics.csv};
     * absent evaluation values are NaN.
     */
    public Map<String, Object> toRow() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("participants_selected", selected.size());
        row.put("participants_failed", failures.size());
        row.put("bytes_up", bytesUp);
        row.put("bytes_down", bytesDown);
        row.put("eval_bytes_up", evaluationBytesUp);
        row.put("eval_bytes_down", evaluationBytesDown);
        row.put("wall_seconds", wallSeconds);
        EvaluationSummary e = evaluation.orElse(null);
        row.put("test_acc_mean", e == null ? Double.NaN : e.testAccuracyMean());
        row.put("test_acc_min", e == null ? Double.NaN : e.testAccuracyMin());
        row.put("test_acc_max", e == null ? Double.NaN : e.testAccuracyMax());
        row.put("test_loss_mean", e == null ? Double.NaN : e.testLossMean());
        row.put("local_acc_mean", e == null ? Double.NaN : e.localAccuracyMean());
        row.put("local_acc_min", e == null ? Double.NaN : e.localAccuracyMin());
        row.put("local_acc_max", e == null ? Double.NaN : e.localAccuracyMax());
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
