package io.fedistill.cli;

import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.runlog.RoundReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows one algorithm's rounds on the console: a progress bar on a terminal, one plain line per
 * round when the output goes to a file or a pipe (where a bar's redraws would be raw {@code \r}
 * frames). A round in which every participant failed is said in words either way.
 */
final class RoundProgress implements RoundListener, AutoCloseable {
    private final String label;
    private final int rounds;
    private final PrintStream out;
    private final ProgressBar bar;
    private final List<Integer> everyoneFailed = new ArrayList<>();

    /**
     * Starts showing an algorithm's progress.
     *
     * @param label the algorithm's label
     * @param rounds its number of rounds
     * @param out the console
     * @param terminal whether {@code out} is a terminal (a bar) or not (lines)
     */
    RoundProgress(String label, int rounds, PrintStream out, boolean terminal) {
        this.label = label;
        this.rounds = rounds;
        this.out = out;
        this.bar =
                terminal
                        ? new ProgressBarBuilder()
                                .setTaskName(label)
                                .setInitialMax(rounds)
                                .setStyle(ProgressBarStyle.ASCII)
                                .setUnit(" rounds", 1)
                                .setConsumer(new ConsoleProgressBarConsumer(out))
                                .build()
                        : null;
    }

    @Override
    public void roundFinished(RoundReport report) {
        String status = status(report);
        if (report.everyParticipantFailed()) {
            everyoneFailed.add(report.round());
        }
        if (bar != null) {
            bar.setExtraMessage(status);
            bar.step();
        } else {
            out.printf(
                    Locale.ROOT,
                    "%s round %d/%d: %s, %.3f MB, %.1f s%n",
                    label,
                    report.round(),
                    rounds,
                    status,
                    (report.bytesUp() + report.bytesDown()) / 1e6,
                    report.wallSeconds());
        }
    }

    private static String status(RoundReport report) {
        if (report.everyParticipantFailed()) {
            return "every participant failed (" + report.failures().get(0).reason() + ")";
        }
        String failed =
                report.failedParticipants().isEmpty()
                        ? ""
                        : ", " + report.failedParticipants().size() + " failed";
        return report.evaluation()
                        .map(
                                e -> {
                                    double acc = e.globalAccuracy().orElse(e.testAccuracyMean());
                                    // without a common test set, the pooled local splits
                                    double pooled = e.localAccuracyPooled();
                                    return !Double.isNaN(acc)
                                            ? String.format(Locale.ROOT, "acc %.3f", acc)
                                            : !Double.isNaN(pooled)
                                                    ? String.format(
                                                            Locale.ROOT,
                                                            "pooled local acc %.3f",
                                                            pooled)
                                                    : "no evaluation replies";
                                })
                        .orElse("not evaluated")
                + failed;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            if (!everyoneFailed.isEmpty()) {
                out.println(label + ": every participant failed in rounds " + everyoneFailed);
            }
        }
    }
}
