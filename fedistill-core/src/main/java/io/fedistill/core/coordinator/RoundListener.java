package io.fedistill.core.coordinator;

import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.tensor.TensorRecord;
import java.util.List;

/** Hears the coordinator's progress: progress bars, live logs and dashboards plug in here. */
public interface RoundListener {

    /** Called before a round runs. */
    default void roundStarted(int round, List<String> selected) {}

    /** Called after a round, its evaluation included, has finished. */
    default void roundFinished(RoundReport report) {}

    /**
     * Called after {@link #roundFinished} with what the strategy (and the fleet, for top-k's
     * feedback on tasks) carries into the next round: with the participants' committed state,
     * enough to resume the run after this round.
     */
    default void roundCheckpointed(int round, TensorRecord strategySnapshot) {}
}
