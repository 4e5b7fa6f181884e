package io.fedistill.core.coordinator;

import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.runlog.TrafficLedger;
import java.util.List;

/**
 * The outcome of a run, or of the rounds of it that finished: one report per round.
 *
 * @param rounds the round reports, in order
 */
public record RunResult(List<RoundReport> rounds) {
    /** Freezes the list. */
    public RunResult {
        rounds = List.copyOf(rounds);
    }

    /** Returns every counted message of the run. */
    public TrafficLedger traffic() {
        return TrafficLedger.of(rounds.stream().flatMap(r -> r.traffic().stream()).toList());
    }

    /** Returns whether at least one round had a participant whose reply could be used. */
    public boolean anyRoundAggregated() {
        return rounds.stream().anyMatch(r -> !r.everyParticipantFailed());
    }
}
