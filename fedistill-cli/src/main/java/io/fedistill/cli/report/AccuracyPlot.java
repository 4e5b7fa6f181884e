package io.fedistill.cli.report;

import io.fedistill.core.runlog.RoundReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws accuracy per round: one line per algorithm (mean participant accuracy on the global
 * test set) and, for algorithms with a global model, a line for that model.
 */
public final class AccuracyPlot {
    private AccuracyPlot() {}

    /** Writes the chart as a PNG. */
    public static void write(List<AlgorithmRun> runs, String title, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
                .xAxisTitle("round").yAxisTitle("accuracy on the global test set").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (AlgorithmRun run : runs) {
            List<Integer> rounds = new ArrayList<>();
            List<Double> mean = new ArrayList<>();
            List<Integer> globalRounds = new ArrayList<>();
            List<Double> global = new ArrayList<>();
            for (RoundReport report : run.result().rounds()) {
                report.evaluation().ifPresent(e -> {
                    rounds.add(report.round());
                    mean.add(e.testAccuracyMean());
                    e.globalAccuracy().ifPresent(acc -> {
                        globalRounds.add(report.round());
                        global.add(acc);
                    });
                });
            }
            if (!global.isEmpty()) {
                chart.addSeries(run.label() + " (global model)", globalRounds, global).setMarker(SeriesMarkers.NONE);
            } else if (!rounds.isEmpty()) {
                chart.addSeries(run.label() + " (mean participant)", rounds, mean).setMarker(SeriesMarkers.NONE);
            }
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
