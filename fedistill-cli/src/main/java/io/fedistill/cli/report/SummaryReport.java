package io.fedistill.cli.report;

import io.fedistill.cli.config.AlgorithmConfig;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.core.runlog.EvaluationSummary;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.ml.model.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** Renders an experiment's final table as Markdown: {@code summary.md}. */
public final class SummaryReport {
    private SummaryReport() {}

    /**
     * Appends one line per algorithm that runs with a codec other than fp32, a simulated attack or
     * differential privacy, with the attackers' ids and the privacy spent after the last round.
     */
    private static void appendSettings(
            StringBuilder md, ExperimentConfig config, List<AlgorithmRun> runs) {
        List<String> lines = new ArrayList<>();
        for (AlgorithmConfig algorithm : config.algorithms()) {
            Optional<AlgorithmRun> run =
                    runs.stream().filter(r -> r.label().equals(algorithm.label())).findFirst();
            if (run.isEmpty()) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            String codec = config.codecFor(algorithm);
            if (!codec.equals("fp32")) {
                parts.add("codec `" + codec + "`");
            }
            config.attackFor(algorithm)
                    .ifPresent(
                            attack ->
                                    parts.add(
                                            "simulated attack "
                                                    + attack.kind()
                                                    + " by "
                                                    + attack.attack(config.seed())
                                                            .attackers(config.participantIds())
                                                    + " (their own accuracies count in the means)"));
            config.privacyFor(algorithm)
                    .ifPresent(
                            privacy ->
                                    parts.add(
                                            String.format(
                                                            Locale.ROOT,
                                                            "differential privacy (%s noise),"
                                                                    + " uploads clipped to %s, noise"
                                                                    + " multiplier %s",
                                                            privacy.mode(),
                                                            privacy.clip(),
                                                            privacy.noiseMultiplier())
                                                    + spentPrivacy(run.get(), privacy.delta())));
            if (!parts.isEmpty()) {
                lines.add("- " + algorithm.label() + ": " + String.join("; ", parts));
            }
        }
        if (!lines.isEmpty()) {
            md.append(String.join("\n", lines)).append("\n\n");
        }
    }

    /** Returns the epsilon an algorithm had spent after its last round, in words. */
    private static String spentPrivacy(AlgorithmRun run, double delta) {
        List<RoundReport> rounds = run.result().rounds();
        if (rounds.isEmpty()) {
            return "";
        }
        OptionalDouble epsilon = rounds.get(rounds.size() - 1).strategyMetrics().find("epsilon");
        return epsilon.isEmpty()
                ? ""
                : String.format(
                        Locale.ROOT,
                        ", epsilon %.3f (delta %s) spent after the last round",
                        epsilon.getAsDouble(),
                        delta);
    }

    /**
     * Returns the Markdown summary of the runs.
     *
     * @param config the experiment
     * @param datasetDescription the data, in words
     * @param runs each algorithm's finished rounds
     * @param interruption where the run was interrupted, in words, when it was
     * @param warnings what the run's logs hold at WARN or ERROR, listed at the end
     */
    public static String render(
            ExperimentConfig config,
            String datasetDescription,
            List<AlgorithmRun> runs,
            Optional<String> interruption,
            LoggedWarnings warnings) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(config.name()).append("\n\n");
        interruption.ifPresent(
                where ->
                        md.append("**Interrupted ")
                                .append(where)
                                .append(
                                        ".** The tables show the rounds that had finished;"
                                                + " later rounds and algorithms did not run.\n\n"));
        md.append(
                String.format(
                        Locale.ROOT,
                        "%s; %d participants; partition %s (local test %.0f%%); %d rounds; "
                                + "%s, batch %d, %s lr %s; seed %d.%n%n",
                        datasetDescription,
                        config.participants(),
                        config.partition().partitioner().describe(),
                        100 * config.partition().localTestFraction(),
                        config.rounds(),
                        config.training().localSteps() > 0
                                ? config.training().localSteps() + " local steps"
                                : config.training().localEpochs() + " local epoch(s)",
                        config.training().batchSize(),
                        config.training().optimizer(),
                        config.training().learningRate(),
                        config.seed()));
        appendSettings(md, config, runs);
        md.append(
                "Accuracy is on the global test set after the last round (none when the test images"
                        + " were merged into the participants' data); pooled local accuracy is correct"
                        + " over total on all participants' local test splits (PFLlib's and"
                        + " HtFLlib's metric), after the last round and at its best round; MB counts"
                        + " every algorithm message in both directions as encoded (evaluation"
                        + " traffic excluded).\n\n");
        md.append(
                "| algorithm | models | mean participant acc | min | max | local-split acc "
                        + "| pooled local acc | best pooled (round) | global model acc "
                        + "| MB total | MB / round | failures | wall s |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (AlgorithmRun run : runs) {
            EvaluationSummary e = run.finalEvaluation().orElse(null);
            long failures =
                    run.result().rounds().stream()
                            .mapToLong(r -> r.failedParticipants().size())
                            .sum();
            double mb = run.algorithmBytes() / 1e6;
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.3f | %.4f | %d | %.1f |%n",
                            run.label(),
                            describeModels(run.models()),
                            pct(e == null ? Double.NaN : e.testAccuracyMean()),
                            pct(e == null ? Double.NaN : e.testAccuracyMin()),
                            pct(e == null ? Double.NaN : e.testAccuracyMax()),
                            pct(e == null ? Double.NaN : e.localAccuracyMean()),
                            pct(e == null ? Double.NaN : e.localAccuracyPooled()),
                            bestPooledLocal(run),
                            e == null
                                    ? "-"
                                    : e.globalAccuracy().isPresent()
                                            ? pct(e.globalAccuracy().getAsDouble())
                                            : "-",
                            mb,
                            run.result().rounds().isEmpty()
                                    ? 0.0
                                    : mb / run.result().rounds().size(),
                            failures,
                            run.wallSeconds()));
        }
        appendFailedRounds(md, runs);
        List<String> dead = new ArrayList<>();
        for (AlgorithmRun run : runs) {
            run.finalEvaluation()
                    .ifPresent(
                            e ->
                                    new TreeMap<>(e.participantPredictedClasses())
                                            .forEach(
                                                    (id, classes) -> {
                                                        if (classes <= 1) {
                                                            dead.add(run.label() + " " + id);
                                                        }
                                                    }));
        }
        if (!dead.isEmpty()) {
            md.append(
                            "\nPredicting one class for the whole test set after the last round (a dead"
                                    + " model; see the training warnings): ")
                    .append(String.join(", ", dead))
                    .append(".\n");
        }
        md.append(
                "\n## Mean participant accuracy by architecture\n\n| algorithm | model | participants | mean acc |\n|---|---|---|---|\n");
        for (AlgorithmRun run : runs) {
            EvaluationSummary e = run.finalEvaluation().orElse(null);
            if (e == null) {
                continue;
            }
            Map<String, List<Double>> byModel = new TreeMap<>();
            // without a global test set, each participant's local-split accuracy
            Map<String, Double> accuracies =
                    e.participantTestAccuracy().isEmpty()
                            ? e.participantLocalAccuracy()
                            : e.participantTestAccuracy();
            run.models()
                    .forEach(
                            (id, spec) -> {
                                Double acc = accuracies.get(id);
                                if (acc != null) {
                                    byModel.computeIfAbsent(spec.toString(), k -> new ArrayList<>())
                                            .add(acc);
                                }
                            });
            byModel.forEach(
                    (model, accs) ->
                            md.append(
                                    String.format(
                                            Locale.ROOT,
                                            "| %s | %s | %d | %s |%n",
                                            run.label(),
                                            model,
                                            accs.size(),
                                            pct(
                                                    accs.stream()
                                                            .mapToDouble(d -> d)
                                                            .average()
                                                            .orElse(Double.NaN)))));
        }
        appendReading(md, config, runs);
        if (!warnings.isEmpty()) {
            md.append('\n').append(warnings.markdown());
        }
        return md.toString();
    }

    /**
     * Says in plain words what the table shows: each algorithm's mean participant accuracy against
     * local-only's, and its bytes against FedAvg's, where the experiment ran those.
     */
    private static void appendReading(
            StringBuilder md, ExperimentConfig config, List<AlgorithmRun> runs) {
        Optional<AlgorithmRun> localOnly = runOf(config, runs, "local-only");
        Optional<AlgorithmRun> fedAvg = runOf(config, runs, "fedavg");
        double baseline =
                localOnly
                        .flatMap(AlgorithmRun::finalEvaluation)
                        .map(SummaryReport::headlineAccuracy)
                        .orElse(Double.NaN);
        if (Double.isNaN(baseline)) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (AlgorithmRun run : runs) {
            double acc =
                    run.finalEvaluation().map(SummaryReport::headlineAccuracy).orElse(Double.NaN);
            if (run == localOnly.get() || Double.isNaN(acc)) {
                continue;
            }
            double points = 100 * (acc - baseline);
            StringBuilder line =
                    new StringBuilder(
                            String.format(
                                    Locale.ROOT,
                                    "- **%s**: participants reach %s on average, %.1f points %s"
                                            + " local-only (%s)",
                                    run.label(),
                                    pct(acc),
                                    Math.abs(points),
                                    points >= 0 ? "over" : "below",
                                    pct(baseline)));
            if (fedAvg.isPresent() && run != fedAvg.get() && run.algorithmBytes() > 0) {
                double ratio = (double) fedAvg.get().algorithmBytes() / run.algorithmBytes();
                line.append(
                        ratio >= 1
                                ? String.format(
                                        Locale.ROOT,
                                        ", sending %.1f times fewer bytes than %s",
                                        ratio,
                                        fedAvg.get().label())
                                : String.format(
                                        Locale.ROOT,
                                        ", sending %.1f times the bytes of %s",
                                        1 / ratio,
                                        fedAvg.get().label()));
            }
            if (fedAvg.isPresent() && run == fedAvg.get()) {
                line.append(" (the reference: every participant runs ")
                        .append(describeModels(run.models()).replaceFirst("^\\d+x ", ""))
                        .append(", which weight averaging needs)");
            }
            lines.add(line.append('.').toString());
        }
        if (!lines.isEmpty()) {
            md.append("\n## Reading\n\n").append(String.join("\n", lines)).append('\n');
        }
    }

    /**
     * Returns the accuracy the reading compares: the mean participant accuracy on the global test
     * set, or the pooled local accuracy where there is no global test set.
     */
    private static double headlineAccuracy(EvaluationSummary evaluation) {
        double test = evaluation.testAccuracyMean();
        return Double.isNaN(test) ? evaluation.localAccuracyPooled() : test;
    }

    /** Returns the best pooled local accuracy of any evaluated round, with that round. */
    private static String bestPooledLocal(AlgorithmRun run) {
        double best = Double.NaN;
        int bestRound = 0;
        for (RoundReport report : run.result().rounds()) {
            double pooled =
                    report.evaluation()
                            .map(EvaluationSummary::localAccuracyPooled)
                            .orElse(Double.NaN);
            if (!Double.isNaN(pooled) && (Double.isNaN(best) || pooled > best)) {
                best = pooled;
                bestRound = report.round();
            }
        }
        return Double.isNaN(best) ? "-" : pct(best) + " (" + bestRound + ")";
    }

    private static Optional<AlgorithmRun> runOf(
            ExperimentConfig config, List<AlgorithmRun> runs, String algorithmName) {
        return config.algorithms().stream()
                .filter(a -> a.name().equals(algorithmName))
                .findFirst()
                .flatMap(a -> runs.stream().filter(r -> r.label().equals(a.label())).findFirst());
    }

    /**
     * Names the rounds in which every participant failed, and the algorithms that learned nothing.
     */
    private static void appendFailedRounds(StringBuilder md, List<AlgorithmRun> runs) {
        for (AlgorithmRun run : runs) {
            List<RoundReport> failed =
                    run.result().rounds().stream()
                            .filter(RoundReport::everyParticipantFailed)
                            .toList();
            if (failed.isEmpty()) {
                continue;
            }
            String reason = failed.get(0).failures().get(0).reason();
            md.append('\n');
            if (!run.result().anyRoundAggregated()) {
                md.append("**")
                        .append(run.label())
                        .append(" learned nothing: every participant failed in every round**");
            } else {
                md.append("**")
                        .append(run.label())
                        .append(": every participant failed in ")
                        .append(failed.size() == 1 ? "round " : "rounds ")
                        .append(
                                String.join(
                                        ", ",
                                        failed.stream()
                                                .map(r -> String.valueOf(r.round()))
                                                .toList()))
                        .append("**");
            }
            md.append(" (first reason: ")
                    .append(reason)
                    .append("). A lower training.learningRate or a training.gradientClipNorm")
                    .append(" usually helps when replies are rejected as NaN.\n");
        }
    }

    private static String describeModels(Map<String, ModelSpec> models) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        models.values().forEach(spec -> counts.merge(spec.toString(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((model, count) -> parts.add(count + "x " + model));
        return String.join(", ", parts);
    }

    private static String pct(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * value);
    }
}
