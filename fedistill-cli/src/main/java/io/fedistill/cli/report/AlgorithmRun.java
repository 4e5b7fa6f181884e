package io.fedistill.cli.report;

import io.fedistill.core.coordinator.RunResult;
import io.fedistill.core.fleet.Channel;
import io.fedistill.core.fleet.Direction;
import io.fedistill.core.runlog.EvaluationSummary;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.ml.model.ModelSpec;
import java.util.Map;
import java.util.Optional;

/**
 * One algorithm's finished run inside an experiment.
 *
 * @param label the algorithm's label in tables and plots
 * @param models each participant's architecture
 * @param result the round reports and traffic
 * @param wallSeconds wall time of the whole run; for a resumed run, its recorded rounds' wall time
 *     plus the resuming process's
 */
public record AlgorithmRun(
        String label, Map<String, ModelSpec> models, RunResult result, double wallSeconds) {

    /** Returns the last evaluation of the run. */
    public Optional<EvaluationSummary> finalEvaluation() {
        for (int i = result.rounds().size() - 1; i >= 0; i--) {
            RoundReport report = result.rounds().get(i);
            if (report.evaluation().isPresent()) {
                return report.evaluation();
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the algorithm's bytes in both directions over the run (evaluation traffic excluded).
     */
    public long algorithmBytes() {
        return result.traffic().totalBytes(Channel.ALGORITHM, Direction.UP)
                + result.traffic().totalBytes(Channel.ALGORITHM, Direction.DOWN);
    }
}
