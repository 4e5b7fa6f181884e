package io.fedistill.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.fedistill.core.runlog.RoundReport;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A round's report as the run store keeps it: JSON that reads back into an equal {@link
 * RoundReport}, so a resumed run rewrites its CSV files, summary and plots from the stored rounds.
 */
public final class RoundReportJson {
    private static final JsonMapper MAPPER =
            JsonMapper.builder()
                    .addModule(new Jdk8Module())
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
                    .build();

    private RoundReportJson() {}

    /** Writes a report. */
    public static String write(RoundReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize round " + report.round(), e);
        }
    }

    /** Reads a report {@link #write} wrote. */
    public static RoundReport read(String json) {
        try {
            return MAPPER.readValue(json, RoundReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "a stored round cannot be read back: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Returns the report's numeric metrics for the store's metrics table: every number of its
     * {@code metrics.csv} row and each strategy metric as {@code strategy.<name>}.
     */
    public static Map<String, Double> numericMetrics(RoundReport report) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        report.toRow()
                .forEach(
                        (name, value) -> {
                            if (value instanceof Number number) {
                                metrics.put(name, number.doubleValue());
                            }
                        });
        report.strategyMetrics()
                .values()
                .forEach((name, value) -> metrics.put("strategy." + name, value));
        return metrics;
    }
}
