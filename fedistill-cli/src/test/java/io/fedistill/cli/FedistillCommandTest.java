package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.cli.report.RunLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FedistillCommandTest {
    @TempDir Path dir;

    private static final String EXPERIMENT =
            """
            name: tiny
            seed: 3
            dataset: {name: fashion-mnist-sample, trainLimit: 900, testLimit: 300}
            participants: 3
            partition: {kind: dirichlet, alpha: 1.0}
            models: [mlp:32, lenet]
            workers: 0
            rounds: 2
            algorithms:
              - name: local-only
              - name: fd
              - name: fedavg
                models: mlp:32
            """;

    private String runCapturingErr(String... args) {
        return runCapturingErr(2, args);
    }

    private String runCapturingErr(int expectedStatus, String... args) {
        return CliRuns.runCapturingErr(expectedStatus, args);
    }

    private String runCapturingOut(int expectedStatus, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(FedistillCommand.execute(args)).isEqualTo(expectedStatus);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Returns the arguments that run the tiny experiment into runs/ with these overrides. */
    private String[] runTiny(String... settings) throws IOException {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "run",
                                yaml.toString(),
                                "--set",
                                "outputDir=" + dir.resolve("runs")));
        for (String setting : settings) {
            args.add("--set");
            args.add(setting);
        }
        return args.toArray(String[]::new);
    }

    @Test
    void deadModelsAreNamedInTheRecords() throws IOException {
        // a learning rate of 5 kills every ReLU within the first epoch
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        int status =
                FedistillCommand.execute(
                        "run",
                        yaml.toString(),
                        "--set",
                        "outputDir=" + dir.resolve("runs"),
                        "--set",
                        "rounds=1",
                        "--set",
                        "training.learningRate=5",
                        "--set",
                        "algorithms=[{name: local-only}]");
        assertThat(status).isZero();
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        assertThat(Files.readString(run.resolve("summary.md")))
                .contains("Predicting one class for the whole test set")
                .contains("local-only p0")
                // the training warnings, in run.log, are listed in the summary too
                .contains("## Warnings logged")
                .contains("its features are the same for every input");
        assertThat(Files.readString(run.resolve("run.log")))
                .contains("its features are the same for every input");
        assertThat(Files.readAllLines(run.resolve("participants.csv")))
                .anyMatch(l -> l.startsWith("local-only,1,p0") && l.endsWith(",1"));
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = List.of(metrics.get(0).split(","));
        String deadCount = metrics.get(1).split(",")[header.indexOf("participants_one_class")];
        assertThat(Integer.parseInt(deadCount)).isPositive();
    }

    @Test
    void runWritesEveryOutput() throws IOException {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        int status =
                FedistillCommand.execute(
                        "run", yaml.toString(), "--set", "outputDir=" + dir.resolve("runs"));
        assertThat(status).isZero();
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        assertThat(run.getFileName().toString()).startsWith("tiny-");
        for (String file :
                List.of(
                        "config.yaml",
                        "metrics.csv",
                        "participants.csv",
                        "partition.csv",
                        "traffic.csv",
                        "summary.md",
                        "accuracy.png")) {
            assertThat(run.resolve(file)).as(file).isNotEmptyFile();
        }
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(metrics).hasSize(1 + 3 * 2);
        assertThat(metrics.get(0))
                .startsWith("algorithm,round,")
                .contains("bytes_up", "test_acc_mean", "global_acc");
        assertThat(Files.readAllLines(run.resolve("partition.csv"))).hasSize(4);
        List<String> participants = Files.readAllLines(run.resolve("participants.csv"));
        assertThat(participants.get(0))
                .isEqualTo("algorithm,round,participant,test_acc,local_acc,test_predicted_classes");
        assertThat(participants)
                .anyMatch(l -> l.matches("fd,2,p02,0\\.\\d+,[01]\\.?\\d*,([1-9]|10)"));
        List<String> traffic = Files.readAllLines(run.resolve("traffic.csv"));
        assertThat(traffic.get(0)).isEqualTo("algorithm,round,channel,participant,direction,bytes");
        // local-only sends nothing but its train requests; fd and fedavg add evaluation rows too
        assertThat(traffic)
                .anyMatch(l -> l.startsWith("fd,1,algorithm,p00,up,"))
                .anyMatch(l -> l.startsWith("fedavg,2,evaluation,p02,down,"));
        String config = Files.readString(run.resolve("config.yaml"));
        assertThat(config)
                .contains("provenance:", "seed: 3", "djlVersion: 0.35.0", "PyTorch 2.7.1");
        assertThat(Files.readString(run.resolve("summary.md")))
                .contains("| fd |", "| fedavg |", "| local-only |")
                .containsPattern(
                        "\\n## Reading\\n\\n- \\*\\*fd\\*\\*: participants reach [\\d.]+% on average,"
                                + " [\\d.]+ points (over|below) local-only \\([\\d.]+%\\), sending"
                                + " [\\d.]+ times (fewer bytes than|the bytes of) fedavg\\.");
    }

    @Test
    void theBenchmarkProtocolMergesTrainAndTestAndPoolsTheLocalSplits() throws IOException {
        int status =
                FedistillCommand.execute(
                        runTiny(
                                "dataset.mergeTrainTest=true",
                                "partition={kind: pathological, labelsPerParticipant: 4,"
                                        + " localTestFraction: 0.25}",
                                "algorithms=[{name: local-only}, {name: fedavg, models: mlp:32}]"));
        assertThat(status).isZero();
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
            run = runs.findFirst().orElseThrow();
        }
        // 900 + 300 images shared out, a quarter of each participant's held out
        List<String> partition = Files.readAllLines(run.resolve("partition.csv"));
        int trainSamples = 0;
        java.util.Map<String, Integer> localTest = new java.util.HashMap<>();
        for (String line : partition.subList(1, partition.size())) {
            String[] cells = line.split(",");
            trainSamples += Integer.parseInt(cells[1]);
            localTest.put(cells[0], Integer.parseInt(cells[2]));
        }
        assertThat(trainSamples + localTest.values().stream().mapToInt(i -> i).sum())
                .isEqualTo(1200);
        // no common test set: the pooled accuracy is correct over total on the local splits
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        List<String> header = List.of(metrics.get(0).split(",", -1));
        List<String> participants = Files.readAllLines(run.resolve("participants.csv"));
        for (String row : metrics.subList(1, metrics.size())) {
            String[] cells = row.split(",", -1);
            assertThat(cells[header.indexOf("test_acc_mean")]).isEmpty();
            assertThat(cells[header.indexOf("global_acc")]).isEmpty();
            String prefix = cells[0] + "," + cells[1] + ",";
            double correct = 0;
            int total = 0;
            for (String p : participants) {
                if (p.startsWith(prefix)) {
                    String[] c = p.split(",", -1);
                    correct += Double.parseDouble(c[4]) * localTest.get(c[2]);
                    total += localTest.get(c[2]);
                }
            }
            assertThat(Double.parseDouble(cells[header.indexOf("local_acc_pooled")]))
                    .isCloseTo(correct / total, within(1e-4));
        }
        assertThat(Files.readString(run.resolve("summary.md")))
                .contains("train and test images merged")
                .contains("pooled local acc | best pooled (round)")
                .containsPattern("\\| local-only \\|.*\\| [\\d.]+% \\([12]\\) \\|");
    }

    @Test
    void fp16SoftLabelsAreOneLineOfConfigAndHalveTheKnowledgeBytes() throws IOException {
        String yaml =
                EXPERIMENT
                                .substring(0, EXPERIMENT.indexOf("algorithms:"))
                                .replace("rounds: 2", "rounds: 1\npublicData: {size: 200}")
                        + "algorithms:\n  - name: dsfl\n    options: {subsetSize: 100}\n";
        Path file = Files.writeString(dir.resolve("codec.yaml"), yaml);
        long[] up = new long[2];
        String[] codecs = {"fp32", "up.probabilities=fp16"};
        for (int i = 0; i < 2; i++) {
            Path out = dir.resolve("codec-" + i);
            assertThat(
                            FedistillCommand.execute(
                                    "run",
                                    file.toString(),
                                    "--set",
                                    "outputDir=" + out,
                                    "--set",
                                    "codec=" + codecs[i]))
                    .isZero();
            Path run = CliRuns.onlyRun(out);
            assertThat(ExperimentLoader.loadRunRecord(run).codec()).isEqualTo(codecs[i]);
            up[i] =
                    Long.parseLong(
                            Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",")[4]);
        }
        // three participants send 100 x 10 soft labels: 4,000 bytes each in fp32, 2,000 in fp16;
        // their label counts and metrics stay as they were, and each header names fp16 in a few
        // bytes
        assertThat(up[0] - up[1]).isBetween(3 * 2000L - 3 * 8, 3 * 2000L);
    }

    @Test
    void secureAggregationGivesFedAvgsGlobalModelWithoutItsUploads() throws IOException {
        String yaml =
                EXPERIMENT.substring(0, EXPERIMENT.indexOf("algorithms:"))
                        + "algorithms:\n"
                        + "  - name: fedavg\n    models: mlp:32\n"
                        + "  - name: fedavg\n    label: fedavg-secure\n    models: mlp:32\n"
                        + "    options: {secure: true}\n"
                        + "  - name: fedavg\n    label: fedavg-signed\n    models: mlp:32\n"
                        + "    options: {secure: true, secureSigned: true}\n";
        List<String> rows = metricsOfRun("secure", yaml);
        Path file = dir.resolve("secure.yaml");
        List<String> header = List.of(rows.get(0).split(","));
        int accuracy = header.indexOf("global_acc");
        int loss = header.indexOf("global_loss");
        int up = header.indexOf("bytes_up");
        for (int round = 1; round <= 2; round++) {
            String[] plain = rows.get(round).split(",");
            String[] secure = rows.get(2 + round).split(",");
            assertThat(secure[0]).isEqualTo("fedavg-secure");
            // the same model to fixed-point precision: the same accuracy, the loss within 1e-4
            assertThat(secure[accuracy]).isEqualTo(plain[accuracy]);
            assertThat(Double.parseDouble(secure[loss]))
                    .isCloseTo(Double.parseDouble(plain[loss]), within(1e-4));
            // the weights went up masked, as 16-bit words, plus the protocol's keys and shares
            assertThat(Long.parseLong(secure[up])).isGreaterThan(Long.parseLong(plain[up]));
            // signed by each participant's certificate from the simulation's authority: the same
            // model, with certificates and signatures on top
            String[] signed = rows.get(4 + round).split(",");
            assertThat(signed[0]).isEqualTo("fedavg-signed");
            assertThat(signed[accuracy]).isEqualTo(plain[accuracy]);
            assertThat(Long.parseLong(signed[up])).isGreaterThan(Long.parseLong(secure[up]));
        }
        assertThat(
                        runCapturingErr(
                                "run",
                                file.toString(),
                                "--set",
                                "algorithms.1.options={secure: true, robust: median}"))
                .contains("needs each participant's weights, which secure aggregation hides");
        assertThat(runCapturingErr("run", file.toString(), "--set", "algorithms.1.name=feddf"))
                .contains("secure aggregation would hide what FedDF needs");
    }

    @Test
    void differentialPrivacyReportsTheEpsilonSpentCentrallyOrUnderSecureAggregation()
            throws IOException {
        String base = EXPERIMENT.substring(0, EXPERIMENT.indexOf("algorithms:"));
        String central =
                base
                        + "privacy: {clip: 2.0, noiseMultiplier: 1.0}\n"
                        + "publicData: {size: 200, labeled: true}\n"
                        + "algorithms:\n  - name: local-only\n"
                        + "  - name: fedavg\n    models: mlp:32\n"
                        + "    options: {weighting: uniform}\n"
                        // class scores (logits) clipped and noised, at a noise level of its own
                        + "  - name: fedmd\n    options: {subsetSize: 100}\n"
                        + "    privacy: {clip: 5.0, noiseMultiplier: 2.0}\n"
                        // prototypes and their presence weights clipped and noised together
                        + "  - name: fedproto\n    models: \"mlp:32@16\"\n";
        String distributed =
                base
                        + "privacy: {clip: 2.0, noiseMultiplier: 1.0, mode: distributed}\n"
                        + "publicData: {size: 200, labeled: true}\n"
                        + "algorithms:\n  - name: fedavg\n    models: mlp:32\n"
                        + "    options: {weighting: uniform, secure: true}\n"
                        // class scores noised by each participant and summed securely
                        + "  - name: fedmd\n    options: {subsetSize: 100, secure: true}\n";
        List<String> epsilons = new ArrayList<>();
        for (String yaml : List.of(central, distributed)) {
            Path out = dir.resolve("dp-" + epsilons.size());
            Path file = Files.writeString(dir.resolve("dp-" + epsilons.size() + ".yaml"), yaml);
            assertThat(
                            FedistillCommand.execute(
                                    "run", file.toString(), "--set", "outputDir=" + out))
                    .isZero();
            Path run = CliRuns.onlyRun(out);
            List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
            String last =
                    rows.stream()
                            .filter(row -> row.startsWith("fedavg,2,"))
                            .findFirst()
                            .orElseThrow();
            assertThat(last).contains("epsilon=").contains("delta=1.00000e-05");
            epsilons.add(last.substring(last.indexOf("epsilon=")));
            assertThat(Files.readString(run.resolve("summary.md")))
                    .contains(
                            "- fedavg: differential privacy ("
                                    + (epsilons.size() == 1 ? "central" : "distributed")
                                    + " noise), uploads clipped to 2.0, noise multiplier 1.0,"
                                    + " epsilon ")
                    .doesNotContain("- local-only");
            // participants clipped their own uploads: the coordinator found none above the clip
            assertThat(rows).noneMatch(row -> row.contains("clipped_on_arrival"));
            int strategy = List.of(rows.get(0).split(",")).indexOf("strategy_metrics");
            String fedmd =
                    rows.stream()
                            .filter(row -> row.startsWith("fedmd,2,"))
                            .findFirst()
                            .orElseThrow();
            List<String> knowledge = new ArrayList<>(List.of(fedmd));
            if (epsilons.size() == 1) {
                knowledge.add(
                        rows.stream()
                                .filter(row -> row.startsWith("fedproto,2,"))
                                .findFirst()
                                .orElseThrow());
            }
            for (String row : knowledge) {
                // uploads that withheld their label counts are still aggregated
                String metrics = row.split(",")[strategy];
                assertThat(metrics).contains("epsilon=");
                assertThat(metric(metrics, "participants_aggregated")).isPositive();
            }
            if (epsilons.size() == 1) {
                // twice the noise over the same two rounds spends less privacy than fedavg's
                assertThat(metric(fedmd.split(",")[strategy], "epsilon"))
                        .isLessThan(metric(last.split(",")[strategy], "epsilon"));
            }
        }
        // the same clip, noise, sampling rate and rounds spend the same privacy
        assertThat(epsilons.get(1)).isEqualTo(epsilons.get(0));
    }

    /**
     * Returns the tiny experiment with {@code rounds} rounds and 200 labeled public images, up to
     * and including its {@code algorithms:} line, for a test to list its own.
     */
    private static String withPublicData(int rounds) {
        return EXPERIMENT
                        .substring(0, EXPERIMENT.indexOf("algorithms:"))
                        .replace(
                                "rounds: 2",
                                "rounds: " + rounds + "\npublicData: {size: 200, labeled: true}")
                + "algorithms:\n";
    }

    /**
     * Writes {@code yaml} as {@code name.yaml}, runs it into the output directory {@code name},
     * checks it succeeded and returns its metrics.csv lines.
     */
    private List<String> metricsOfRun(String name, String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve(name + ".yaml"), yaml);
        Path out = dir.resolve(name);
        assertThat(FedistillCommand.execute("run", file.toString(), "--set", "outputDir=" + out))
                .isZero();
        return Files.readAllLines(CliRuns.onlyRun(out).resolve("metrics.csv"));
    }

    private static double metric(String strategyMetrics, String name) {
        for (String entry : strategyMetrics.split(";")) {
            if (entry.startsWith(name + "=")) {
                return Double.parseDouble(entry.substring(name.length() + 1));
            }
        }
        throw new AssertionError(name + " is not in " + strategyMetrics);
    }

    @ParameterizedTest
    @CsvSource({
        "dsfl, 'subsetSize: 100, weighting: class-counts', label_entropy",
        "fedmd, 'subsetSize: 100, weighting: examples', consensus_entropy"
    })
    void knowledgeIsSummedSecurelyToTheSameTargets(String name, String options, String entropy)
            throws IOException {
        String yaml =
                withPublicData(1)
                        + "  - name: "
                        + name
                        + "\n    options: {"
                        + options
                        + "}\n  - name: "
                        + name
                        + "\n    label: secure\n    options: {"
                        + options
                        + ", secure: true}\n  - name: "
                        + name
                        + "\n    label: signed\n    options: {"
                        + options
                        + ", secure: true, secureSigned: true}\n";
        List<String> rows = metricsOfRun(name + "-secure", yaml);
        List<String> header = List.of(rows.get(0).split(","));
        String[] plain = rows.get(1).split(",");
        int strategy = header.indexOf("strategy_metrics");
        int accuracy = header.indexOf("test_acc_mean");
        // unsigned, and signed by participants that send their knowledge only into signed sums
        for (String[] secure : List.of(rows.get(2).split(","), rows.get(3).split(","))) {
            // the same targets to fixed-point precision: the same entropy
            assertThat(metric(secure[strategy], entropy))
                    .isCloseTo(metric(plain[strategy], entropy), within(1e-4));
            assertThat(secure[strategy]).contains("participants_aggregated=3");
            assertThat(Double.parseDouble(secure[accuracy]))
                    .isCloseTo(Double.parseDouble(plain[accuracy]), within(0.02));
        }
        assertThat(rows.get(3)).startsWith("signed,1,");
    }

    @ParameterizedTest
    @CsvSource({
        "dsfl, 'subsetSize: 100, weighting: class-counts, robust: median, trustStepSize: 5'",
        "fedmd, 'subsetSize: 100, trustStepSize: 0.5'"
    })
    void knowledgeAggregationLearnsTrustInEachParticipantWhenAsked(String name, String options)
            throws IOException {
        String yaml =
                withPublicData(2)
                        + "  - name: "
                        + name
                        + "\n    options: {"
                        + options
                        + "}\n    attack: {kind: inverted-logits, fraction: 0.34}\n";
        List<String> rows = metricsOfRun(name + "-trust", yaml);
        int strategy = List.of(rows.get(0).split(",")).indexOf("strategy_metrics");
        // the least trusted participant, relative to the most trusted one: the attacker, further
        // behind after a second round
        double afterRound1 = metric(rows.get(1).split(",")[strategy], "trust_lowest");
        double afterRound2 = metric(rows.get(2).split(",")[strategy], "trust_lowest");
        assertThat(afterRound1).isGreaterThan(0).isLessThan(1);
        assertThat(afterRound2).isGreaterThan(0).isLessThan(afterRound1);
    }

    @ParameterizedTest
    @CsvSource({
        "dsfl, 'subsetSize: 100, priorCheck: true'",
        "fedmd, 'subsetSize: 100, priorCheck: true'"
    })
    void thePriorCheckLeavesOutTheParticipantThatReversesItsScoresButNotOneWhoseCountsFollowThem(
            String name, String options) throws IOException {
        String entry = "  - name: " + name + "\n    options: {" + options + "}\n    label: ";
        String yaml =
                withPublicData(1).replace("alpha: 1.0", "alpha: 0.1")
                        + entry
                        + "attacked\n    attack: {kind: inverted-logits, fraction: 0.34}\n"
                        + entry
                        + "clean\n"
                        + entry
                        + "lying\n    attack: {kind: inverted-logits, fraction: 0.34,"
                        + " countsFollowUpload: true}\n";
        List<String> rows = metricsOfRun(name + "-prior", yaml);
        int strategy = List.of(rows.get(0).split(",")).indexOf("strategy_metrics");
        assertThat(rows).hasSize(4);
        for (String row : rows.subList(1, 4)) {
            String[] cells = row.split(",");
            assertThat(metric(cells[strategy], "participants_flagged"))
                    .as(row)
                    .isEqualTo(cells[0].equals("attacked") ? 1 : 0);
            assertThat(cells[strategy]).contains("participants_aggregated=3");
        }
    }

    @Test
    void dsflChecksUploadsAgainstRootLabelsOnlyWithLabeledPublicData() throws IOException {
        String yaml =
                withPublicData(1)
                        + "  - name: dsfl\n    options: {subsetSize: 100, rootLabels: 50}\n";
        List<String> rows = metricsOfRun("dsfl-root", yaml);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1)).startsWith("dsfl,1,").contains("participants_aggregated=3");
        assertThat(
                        runCapturingErr(
                                "run",
                                dir.resolve("dsfl-root.yaml").toString(),
                                "--set",
                                "publicData.labeled=false"))
                .contains("rootLabels needs the coordinator to know public labels");
    }

    @Test
    void aSecureRoundWithTooFewSurvivorsAbortsAndTheNextRoundSumsAgain() throws IOException {
        String yaml =
                EXPERIMENT.substring(0, EXPERIMENT.indexOf("algorithms:"))
                        + "failures: {crashes: {p01: [1]}}\n"
                        + "algorithms:\n  - name: fedavg\n    models: mlp:32\n"
                        + "    options: {secure: true, secureThreshold: 3}\n";
        List<String> rows = metricsOfRun("fedavg-abort", yaml);
        int strategy = List.of(rows.get(0).split(",")).indexOf("strategy_metrics");
        // round 1: two of three hold an input, under the threshold: the round learns nothing
        String round1 = rows.get(1).split(",")[strategy];
        assertThat(metric(round1, "secure_aborted")).isEqualTo(1);
        assertThat(metric(round1, "participants_aggregated")).isZero();
        // round 2: all three are back and the sum goes through
        String round2 = rows.get(2).split(",")[strategy];
        assertThat(metric(round2, "participants_aggregated")).isEqualTo(3);
        assertThat(round2).doesNotContain("secure_aborted");
    }

    @Test
    void fdLeavesItsOwnUploadOutOfTheSecurelySummedTeacher() throws IOException {
        String yaml =
                EXPERIMENT.substring(0, EXPERIMENT.indexOf("algorithms:"))
                        + "algorithms:\n  - name: fd\n"
                        + "  - name: fd\n    label: fd-secure\n    options: {secure: true}\n";
        List<String> rows = metricsOfRun("fd-secure", yaml);
        Path file = dir.resolve("fd-secure.yaml");
        List<String> header = List.of(rows.get(0).split(","));
        int accuracy = header.indexOf("test_acc_mean");
        int loss = header.indexOf("test_loss_mean");
        for (int round = 1; round <= 2; round++) {
            String[] plain = rows.get(round).split(",");
            String[] secure = rows.get(2 + round).split(",");
            assertThat(secure[0]).isEqualTo("fd-secure");
            assertThat(secure[header.indexOf("strategy_metrics")])
                    .contains("participants_aggregated=3");
            // round 2 trains toward the others' count-weighted means in both: the same to
            // fixed-point precision
            assertThat(Double.parseDouble(secure[accuracy]))
                    .isCloseTo(Double.parseDouble(plain[accuracy]), within(0.01));
            assertThat(Double.parseDouble(secure[loss]))
                    .isCloseTo(Double.parseDouble(plain[loss]), within(0.01));
        }
        assertThat(
                        runCapturingErr(
                                "run",
                                file.toString(),
                                "--set",
                                "algorithms.1.options={secure: true, weighting: uniform}"))
                .contains("weighting: uniform needs each participant's upload");
    }

    @Test
    void publicDataIsHeldOutOfThePartitionAndRecorded() throws IOException {
        String yaml =
                EXPERIMENT
                        .replace("rounds: 2", "rounds: 1\npublicData: {size: 200}")
                        .replace(
                                "  - name: local-only\n",
                                "  - name: dsfl\n    options: {subsetSize: 100}\n");
        Path file = Files.writeString(dir.resolve("public.yaml"), yaml);
        assertThat(
                        FedistillCommand.execute(
                                "run", file.toString(), "--set", "outputDir=" + dir.resolve("out")))
                .isZero();
        Path run;
        try (Stream<Path> runs = Files.list(dir.resolve("out"))) {
            run = runs.findFirst().orElseThrow();
        }
        List<String> partition = Files.readAllLines(run.resolve("partition.csv"));
        assertThat(partition).last().asString().startsWith("public,200,0,");
        int privateSamples =
                partition.subList(1, partition.size() - 1).stream()
                        .mapToInt(
                                line ->
                                        Integer.parseInt(line.split(",")[1])
                                                + Integer.parseInt(line.split(",")[2]))
                        .sum();
        assertThat(privateSamples).isEqualTo(900 - 200);
        assertThat(Files.readString(run.resolve("metrics.csv"))).contains("label_entropy=");
        assertThat(run.resolve("accuracy-vs-mb.png")).isNotEmptyFile();
        Path tooLarge =
                Files.writeString(
                        dir.resolve("large.yaml"), yaml.replace("size: 200", "size: 5000"));
        assertThat(runCapturingErr("run", tooLarge.toString(), "--set", "outputDir=" + dir))
                .contains("publicData.size 5000 leaves no private data");
        Path withoutPublic =
                Files.writeString(
                        dir.resolve("nopublic.yaml"),
                        EXPERIMENT.replace("name: fd", "name: feddf"));
        assertThat(runCapturingErr("run", withoutPublic.toString(), "--set", "outputDir=" + dir))
                .contains("feddf distills on public data; declare publicData");
    }

    @Test
    void badExperimentsExitWithStatusTwoAndAClearMessage() throws IOException {
        Path unknownAlgorithm =
                Files.writeString(
                        dir.resolve("a.yaml"), EXPERIMENT.replace("name: fd", "name: fdd"));
        assertThat(runCapturingErr("run", unknownAlgorithm.toString()))
                .contains("unknown algorithm 'fdd'");
        Path heterogeneousFedAvg =
                Files.writeString(
                        dir.resolve("b.yaml"),
                        EXPERIMENT.replace("models: mlp:32\n", "models: [mlp, lenet]\n"));
        assertThat(
                        runCapturingErr(
                                "run", heterogeneousFedAvg.toString(), "--set", "outputDir=" + dir))
                .contains(
                        "fedavg averages weights, so every participant needs the same architecture");
        assertThat(runCapturingErr("run", dir.resolve("missing.yaml").toString()))
                .contains("does not exist");
    }

    @Test
    void aRunInWhichEveryParticipantFailsSaysSoAndExitsNonZero() throws IOException {
        String console =
                runCapturingOut(
                        1,
                        runTiny(
                                "rounds=1",
                                "models=lenet",
                                "training.learningRate=1e9",
                                "algorithms=[{name: local-only}, {name: fd}]"));
        // not a terminal: one plain line per round, no progress-bar frames
        assertThat(console)
                .doesNotContain("\r")
                .contains("local-only round 1/1: every participant failed (")
                .contains("fd round 1/1: every participant failed (");
        Path run = CliRuns.onlyRun(dir.resolve("runs"));
        assertThat(Files.readString(run.resolve("summary.md")))
                .contains("**local-only learned nothing: every participant failed in every round**")
                .contains("**fd learned nothing");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        int failedColumn = List.of(metrics.get(0).split(",")).indexOf("participants_failed");
        // three participants, each counted once although training and evaluation both failed
        assertThat(metrics.subList(1, 3))
                .allSatisfy(l -> assertThat(l.split(",")[failedColumn]).isEqualTo("3"));
    }

    @Test
    void aStoppedRunWritesItsSummaryAndPlotsFromTheFinishedRounds() throws Exception {
        Path yaml = Files.writeString(dir.resolve("long.yaml"), EXPERIMENT);
        Path runs = dir.resolve("runs");
        Process process =
                CliRuns.fedistillJvm(
                                dir.resolve("console.txt"),
                                "run",
                                yaml.toString(),
                                "--set",
                                "outputDir=" + runs,
                                "--set",
                                "rounds=500",
                                "--set",
                                "algorithms=[{name: fd}, {name: local-only}]")
                        .start();
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline
                    && (!Files.isDirectory(runs)
                            || !Files.exists(CliRuns.onlyRun(runs).resolve("metrics.csv"))
                            || Files.readAllLines(CliRuns.onlyRun(runs).resolve("metrics.csv"))
                                            .size()
                                    < 3)) {
                Thread.sleep(200);
            }
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).isEqualTo(143);
        Path run = CliRuns.onlyRun(runs);
        assertThat(Files.readString(run.resolve("summary.md")))
                .containsPattern("\\*\\*Interrupted during round \\d+ of fd\\.\\*\\*")
                .contains("| fd |");
        assertThat(run.resolve("accuracy.png")).isNotEmptyFile();
        assertThat(run.resolve("accuracy-vs-mb.png")).isNotEmptyFile();
        assertThat(Files.readAllLines(run.resolve("traffic.csv")))
                .anyMatch(l -> l.startsWith("fd,2,algorithm,p00,up,"));
        assertThat(Files.readString(dir.resolve("console.txt")))
                .contains("fedistill: interrupted during round");
        // the run's own record repeats it
        assertThat(
                        runCapturingErr(
                                2,
                                "run",
                                run.resolve("config.yaml").toString(),
                                "--set",
                                "participants=0"))
                .contains("participants must be > 0, got 0");
    }

    @Test
    void inputThatCannotBeSplitOrFoundEndsInOneLine() throws IOException {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        String out = "outputDir=" + dir.resolve("runs");
        assertThat(
                        runCapturingErr(
                                "run", yaml.toString(), "--set", out, "--set", "participants=5000"))
                .contains("error: participants 5000 is more than the 900 training samples")
                .contains("use at most 900 participants")
                .doesNotContain("\tat ");
        assertThat(
                        runCapturingErr(
                                "run",
                                yaml.toString(),
                                "--set",
                                out,
                                "--set",
                                "participants=120",
                                "--set",
                                "partition={kind: dirichlet, alpha: 0.01}"))
                .contains("error: partition (dirichlet")
                .contains("use fewer participants or a larger alpha")
                .doesNotContain("\tat ");
        Path missing = dir.resolve("no-such-dir");
        assertThat(
                        runCapturingErr(
                                "run",
                                yaml.toString(),
                                "--data-dir",
                                missing.toString(),
                                "--set",
                                "dataset={name: fashion-mnist}"))
                .contains("error: data directory " + missing + " does not exist");
        assertThat(runCapturingErr("run", yaml.toString(), "--data-dir", missing.toString()))
                .contains("dataset.dataDir is read only for fashion-mnist");
        assertThat(runCapturingErr("run", dir.toString()))
                .contains("is a directory, not a YAML file");
    }

    @Test
    void aBatchLargerThanASplitIsWarnedAboutByParticipantInTheRunsRecordsToo() throws IOException {
        String err =
                runCapturingErr(
                        0,
                        runTiny(
                                "rounds=1",
                                "training.batchSize=300",
                                "algorithms=[{name: local-only}]"));
        String warning =
                "training.batchSize 300 is larger than the training split of \\d participant\\(s\\):"
                        + " p0\\d \\(\\d+\\)";
        assertThat(err).containsPattern(warning);
        // logged while the data was prepared, before the run directory existed
        Path run = CliRuns.onlyRun(dir.resolve("runs"));
        assertThat(Files.readAllLines(run.resolve(RunLog.FILE)).get(0)).containsPattern(warning);
        assertThat(Files.readString(run.resolve("summary.md")))
                .contains("## Warnings logged")
                .containsPattern(warning);
    }

    @Test
    void anOutputPathThatIsAFileIsNamedBeforeAnythingRuns() throws IOException {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        assertThat(runCapturingErr("run", yaml.toString(), "--set", "outputDir=" + yaml))
                .contains("error: outputDir " + yaml + ": it is a file, not a directory")
                .doesNotContain("\tat ");
        assertThat(
                        runCapturingErr(
                                "run",
                                yaml.toString(),
                                "--set",
                                "outputDir=" + yaml.resolve("runs")))
                .contains(
                        "error: outputDir "
                                + yaml.resolve("runs")
                                + ": "
                                + yaml
                                + " is a file, not a directory");
        assertThat(runCapturingErr("partition", yaml.toString(), "--out", yaml.toString()))
                .contains("error: --out " + yaml + ": it is a file, not a directory");
        assertThat(runCapturingErr("certs", "--out", yaml.toString(), "--participants", "p00"))
                .contains("error: --out " + yaml + ": it is a file, not a directory");
    }

    @Test
    void certsRefusesABadParticipantIdBeforeWritingAnything() {
        Path pki = dir.resolve("pki");
        assertThat(runCapturingErr("certs", "--out", pki.toString(), "--participants", "../x,p01"))
                .contains(
                        "error: participant id must be 1-64 letters, digits, '.', '_' or '-', got"
                                + " '../x'");
        assertThat(pki).doesNotExist();
    }

    @Test
    void certsRequestAndSignNameWhatIsMissingOrWrong() throws IOException {
        Path pki = dir.resolve("pki");
        assertThat(runCapturingErr("certs", "--participants", "p00"))
                .contains("error: name where to write: --out DIR");
        assertThat(
                        runCapturingErr(
                                "certs",
                                "request",
                                "--participant-id",
                                "../x",
                                "--out",
                                pki.toString()))
                .contains("error: --participant-id must be 1-64 letters");
        Path notAuthority = Files.createDirectories(dir.resolve("empty"));
        assertThat(
                        runCapturingErr(
                                "certs", "sign", "--authority", notAuthority.toString(), "x.csr"))
                .contains("error: " + notAuthority + " holds no authority (ca.pem)");
        assertThat(
                        FedistillCommand.execute(
                                "certs", "--out", pki.toString(), "--participants", "p00"))
                .isZero();
        Path notRequest = pki.resolve("p00.pem");
        assertThat(
                        runCapturingErr(
                                "certs",
                                "sign",
                                "--authority",
                                pki.toString(),
                                notRequest.toString()))
                .contains("error: " + notRequest + " holds no PEM certificate request");
    }

    /**
     * Returns what {@code fedistill join} of p00 with {@code options} says when it refuses them.
     */
    private String joinError(String... options) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "join",
                                "--coordinator",
                                "localhost:7410",
                                "--participant-id",
                                "p00",
                                "--data",
                                dir.toString()));
        args.addAll(List.of(options));
        return runCapturingErr(args.toArray(String[]::new));
    }

    /**
     * Runs {@code serve} of FD with TLS and client certificates from {@code pki} and the extra
     * arguments, expecting bad input; returns its standard error.
     */
    private String serveWithClientCaError(Path experiment, Path pki, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "serve",
                                experiment.toString(),
                                "--algorithm",
                                "fd",
                                "--tls-cert",
                                pki.resolve("coordinator.pem").toString(),
                                "--tls-key",
                                pki.resolve("coordinator-key.pem").toString(),
                                "--client-ca",
                                pki.resolve("ca.pem").toString()));
        args.addAll(List.of(extra));
        return runCapturingErr(args.toArray(String[]::new));
    }

    @Test
    void certsRevokeWritesTheListThatServeAndJoinCheck() throws IOException {
        Path pki = dir.resolve("pki");
        Path other = dir.resolve("other");
        assertThat(
                        FedistillCommand.execute(
                                "certs", "--out", pki.toString(), "--participants", "p00,p01"))
                .isZero();
        assertThat(
                        FedistillCommand.execute(
                                "certs", "--out", other.toString(), "--participants", "p00"))
                .isZero();
        String out = runCapturingOut(0, "certs", "revoke", "--authority", pki.toString(), "p01");
        assertThat(out)
                .containsPattern("revoked the certificate of p01 \\(serial number [0-9a-f]+\\)")
                .contains("wrote " + pki.resolve("crl.pem") + "; renew it within 30 days");
        assertThat(runCapturingErr("certs", "revoke", "--authority", pki.toString(), "p07"))
                .contains("error: p07 has no certificate in " + pki);
        assertThat(
                        runCapturingErr(
                                "certs", "revoke", "--authority", pki.toString(), "--serial", "zz"))
                .contains("error: --serial must be a positive hexadecimal serial number, got 'zz'");
        assertThat(runCapturingErr("certs", "revoke", "--authority", dir.toString()))
                .contains("error: " + dir + " holds no authority (ca.pem)");
        assertThat(FedistillCommand.execute("certs", "revoke", "--authority", other.toString()))
                .isZero();

        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        String crl = pki.resolve("crl.pem").toString();
        assertThat(runCapturingErr("serve", yaml.toString(), "--algorithm", "fd", "--crl", crl))
                .contains("error: --crl revokes participants' certificates: give --client-ca too");
        assertThat(serveWithClientCaError(yaml, pki, "--crl", other.resolve("crl.pem").toString()))
                .contains(
                        "error: --crl: the revocation list in "
                                + other.resolve("crl.pem")
                                + " is not signed by the federation's authority in "
                                + pki.resolve("ca.pem"));
        // a --revoked file that is not text is named, not a stack trace
        Path notText = Files.write(dir.resolve("revoked.bin"), new byte[] {(byte) 0xc3, 0x28});
        assertThat(serveWithClientCaError(yaml, pki, "--revoked", notText.toString()))
                .contains("error: --revoked: cannot read " + notText);
        assertThat(runCapturingErr("serve", yaml.toString(), "--algorithm", "fd", "--revoked", crl))
                .contains("error: --revoked refuses participants by their credentials");
        assertThat(joinError("--ca", pki.resolve("ca.pem").toString(), "--crl", crl))
                .contains(
                        "error: --crl checks neighbours' certificates in signed secure"
                                + " aggregation, which needs this participant's own");
        assertThat(joinError("--min-secure-sum", "0"))
                .contains("error: --min-secure-sum must be >= 1, got 0");
    }

    @Test
    void aBadFlagValueIsOneLineThatNamesIt() {
        String err =
                runCapturingErr(
                        "dp",
                        "epsilon",
                        "--sampling-rate",
                        "0.04",
                        "--steps",
                        "10",
                        "--delta",
                        "1e-5",
                        "--noise-multiplier",
                        "abc");
        assertThat(err.strip().lines())
                .singleElement()
                .asString()
                .contains("--noise-multiplier")
                .contains("'abc'")
                .endsWith("(see fedistill dp epsilon --help)");
    }

    @Test
    void servingChecksItsParticipantsAndAlgorithmBeforeListening() throws IOException {
        Path yaml = Files.writeString(dir.resolve("tiny.yaml"), EXPERIMENT);
        assertThat(
                        runCapturingErr(
                                "serve",
                                yaml.toString(),
                                "--algorithm",
                                "fd",
                                "--min-participants",
                                "0"))
                .contains("error: --min-participants must be in 1..3, got 0");
        assertThat(runCapturingErr("serve", yaml.toString(), "--algorithm", "nope"))
                .contains(
                        "error: the experiment has no algorithm labelled 'nope'; its labels:"
                                + " [local-only, fd, fedavg]");
        assertThat(
                        runCapturingErr(
                                "serve",
                                yaml.toString(),
                                "--algorithm",
                                "fd",
                                "--set",
                                "algorithms.1.options={secure: true, secureSigned: true}"))
                .contains(
                        "error: algorithms.fd: secureSigned needs participants that authenticate"
                                + " with certificates")
                .contains("serve with --client-ca");
    }

    @Test
    void resumingADirectoryThatIsNoRunIsRefusedByName() {
        assertThat(runCapturingErr("run", "--resume", dir.resolve("nowhere").toString()))
                .contains("error: " + dir.resolve("nowhere") + " does not exist");
        assertThat(runCapturingErr("run", "--resume", dir.toString()))
                .contains(dir + " is not a run directory: it has no config.yaml");
        assertThat(runCapturingErr("serve", "--resume", dir.toString()))
                .contains(dir + " is not a run directory: it has no config.yaml");
        assertThat(runCapturingErr("run", "--resume", dir.toString(), "--set", "rounds=2"))
                .contains("--resume continues a run as it was recorded");
    }
}
