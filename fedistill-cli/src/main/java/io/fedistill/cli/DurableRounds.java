package io.fedistill.cli;

import io.fedistill.cli.report.RoundReportJson;
import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.store.JdbcRunStore;
import io.fedistill.core.store.RoundCheckpoint;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.simulation.SimulationCheckpoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One algorithm's rounds in the run store: each completed round is written with its checkpoint in
 * one transaction, and a resumed run reads back the rounds and the point to go on from.
 */
final class DurableRounds {
    private final JdbcRunStore store;
    private final String runId;
    private final String algorithm;
    private RoundReport pending;

    DurableRounds(JdbcRunStore store, String runId, String algorithm) {
        this.store = store;
        this.runId = runId;
        this.algorithm = algorithm;
    }

    /** Returns the rounds recorded so far, in order. */
    List<RoundReport> recordedRounds() {
        return store.reports(runId, algorithm).values().stream()
                .map(RoundReportJson::read)
                .toList();
    }

    /** Returns the checkpoint to resume from, when rounds were recorded. */
    Optional<SimulationCheckpoint> resumePoint() {
        return store.checkpoint(runId, algorithm)
                .map(c -> new SimulationCheckpoint(c.round(), c.strategy(), c.participantStates()));
    }

    /**
     * Returns the listener that keeps each finished round's report until its checkpoint comes; with
     * {@code strategyOnly} (participants in worker processes) it records the round with the
     * strategy's snapshot alone.
     */
    RoundListener listener(boolean strategyOnly) {
        return new RoundListener() {
            @Override
            public void roundFinished(RoundReport report) {
                pending = report;
            }

            @Override
            public void roundCheckpointed(int round, TensorRecord strategySnapshot) {
                if (strategyOnly) {
                    write(new RoundCheckpoint(round, strategySnapshot, Map.of()));
                }
            }
        };
    }

    /** Records the round a simulation checkpoint follows, with that checkpoint. */
    void record(SimulationCheckpoint checkpoint) {
        write(
                new RoundCheckpoint(
                        checkpoint.completedRounds(),
                        checkpoint.strategy(),
                        checkpoint.participantStates()));
    }

    private void write(RoundCheckpoint checkpoint) {
        RoundReport report = pending;
        if (report == null || report.round() != checkpoint.round()) {
            throw new IllegalStateException(
                    "round "
                            + checkpoint.round()
                            + " of "
                            + algorithm
                            + " has no report to record");
        }
        store.recordRound(
                runId,
                algorithm,
                report.round(),
                RoundReportJson.write(report),
                RoundReportJson.numericMetrics(report),
                checkpoint);
        pending = null;
    }
}
