package io.fedistill.cli.report;

import io.fedistill.core.runlog.RoundReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws accuracy per round and accuracy against cumulative megabytes sent: one line per algorithm,
 * the coordinator's model where the algorithm keeps one, else the mean participant.
 */
public final class AccuracyPlot {
    static {
        // ImageIO's disk cache registers files to delete at exit, which fails while the JVM shuts
        // down, exactly when an interrupted run writes its plots
        ImageIO.setUseCache(false);
    }

    private AccuracyPlot() {}

    /** Writes accuracy against cumulative megabytes of algorithm traffic (log scale) as a PNG. */
    public static void writeAgainstMegabytes(List<AlgorithmRun> runs, String title, Path png)
            throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title(title)
                        .xAxisTitle("cumulative MB sent (both directions, log scale)")
                        .yAxisTitle("accuracy on the global test set")
                        .build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisLogarithmic(true);
        for (AlgorithmRun run : runs) {
            List<Double> megabytes = new ArrayList<>();
            List<Double> accuracy = new ArrayList<>();
            double cumulative = 0;
            for (RoundReport report : run.result().rounds()) {
                cumulative += (report.bytesUp() + report.bytesDown()) / 1e6;
                double sent = cumulative;
                report.evaluation()
                        .ifPresent(
                                e -> {
                                    megabytes.add(sent);
                                    accuracy.add(e.globalAccuracy().orElse(e.testAccuracyMean()));
                                });
            }
            if (!megabytes.isEmpty() && megabytes.get(0) > 0) {
                chart.addSeries(run.label(), megabytes, accuracy).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Writes accuracy per round as a PNG. */
    public static void write(List<AlgorithmRun> runs, String title, Path png) throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title(title)
                        .xAxisTitle("round")
                        .yAxisTitle("accuracy on the global test set")
                        .build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (AlgorithmRun run : runs) {
            List<Integer> rounds = new ArrayList<>();
            List<Double> mean = new ArrayList<>();
            List<Integer> globalRounds = new ArrayList<>();
            List<Double> global = new ArrayList<>();
            for (RoundReport report : run.result().rounds()) {
                report.evaluation()
                        .ifPresent(
                                e -> {
                                    rounds.add(report.round());
                                    mean.add(e.testAccuracyMean());
                                    e.globalAccuracy()
                                            .ifPresent(
                                                    acc -> {
                                                        globalRounds.add(report.round());
                                                        global.add(acc);
                                                    });
                                });
            }
            if (!global.isEmpty()) {
                chart.addSeries(run.label() + " (global model)", globalRounds, global)
                        .setMarker(SeriesMarkers.NONE);
            } else if (!rounds.isEmpty()) {
                chart.addSeries(run.label() + " (mean participant)", rounds, mean)
                        .setMarker(SeriesMarkers.NONE);
            }
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
