package io.fedistill.core.coordinator;

import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.runlog.TrafficLedger;
import java.util.List;

/**
 * The outcome of a run: one report per round and the full traffic ledger.
 *
 * @param rounds the round reports, in order
 * @param traffic every counted message
 */
public record RunResult(List<RoundReport> rounds, TrafficLedger traffic) {
    /** Freezes the list. */
    public RunResult {
        rounds = List.copyOf(rounds);
    }
}
