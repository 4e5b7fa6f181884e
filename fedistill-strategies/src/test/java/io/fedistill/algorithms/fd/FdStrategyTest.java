package io.fedistill.algorithms.fd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.algorithms.common.ScriptedFleet;
import io.fedistill.core.message.Message;
import io.fedistill.core.strategy.RoundContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FdStrategyTest {
    private static final int C = 3;

    // p0 holds labels 0 and 2 only; p1 holds labels 0 and 1; p2 holds label 0 only
    private static final Map<String, PerLabelMeans> UPLOADS =
            Map.of(
                    "p0",
                            new PerLabelMeans(
                                    PerLabelMeans.LOGITS,
                                    new float[][] {{1, 0, 0}, {0, 0, 0}, {0, 0, 9}},
                                    new int[] {2, 0, 5}),
                    "p1",
                            new PerLabelMeans(
                                    PerLabelMeans.LOGITS,
                                    new float[][] {{4, 1, 1}, {0, 2, 0}, {0, 0, 0}},
                                    new int[] {1, 3, 0}),
                    "p2",
                            new PerLabelMeans(
                                    PerLabelMeans.LOGITS,
                                    new float[][] {{7, 1, -2}, {0, 0, 0}, {0, 0, 0}},
                                    new int[] {3, 0, 0}));

    private static FdStrategy strategy(Map<String, Object> options) {
        return new FdStrategy(C, FdSettings.fromOptions(options), 0);
    }

    @Test
    void aRobustRuleKeepsOneBadUploadOutOfEachLabelsTeacher() {
        // p1 to p3 agree on label 0; p4 sends huge inverted logits for it
        Map<String, PerLabelMeans> uploads = new java.util.TreeMap<>(UPLOADS);
        uploads.put(
                "p3",
                new PerLabelMeans(
                        PerLabelMeans.LOGITS,
                        new float[][] {{5, 1, 0}, {0, 0, 0}, {0, 0, 0}},
                        new int[] {1, 0, 0}));
        uploads.put(
                "p4",
                new PerLabelMeans(
                        PerLabelMeans.LOGITS,
                        new float[][] {{-90, 50, 50}, {0, 0, 0}, {0, 0, 0}},
                        new int[] {100, 0, 0}));
        Map<String, float[]> label0 = new java.util.LinkedHashMap<>();
        for (String rule : List.of("mean", "median", "trimmed-mean")) {
            Map<String, Object> options =
                    rule.equals("trimmed-mean")
                            ? Map.of("robust", rule, "trimFraction", 0.25)
                            : Map.of("robust", rule);
            PerLabelMeans teacher =
                    PerLabelMeans.fromRecord(
                            PerLabelMeans.LOGITS,
                            secondRequestToP0(strategy(options), new ScriptedFleet(uploads))
                                    .tensors());
            label0.put(rule, teacher.means()[0]);
            // the counts behind each label are the holders' as with the mean
            assertThat(teacher.counts()).containsExactly(105, 3, 0);
            // label 1 has one holder (p1): every rule gives its row
            assertThat(teacher.means()[1]).containsExactly(0f, 2f, 0f);
        }
        // the count-weighted mean follows p4's 100 samples
        assertThat(label0.get("mean")[0]).isLessThan(-80f);
        // p1 (4,1,1), p2 (7,1,-2), p3 (5,1,0), p4 (-90,50,50): entry by entry
        assertThat(label0.get("median")).containsExactly(4.5f, 1f, 0.5f);
        assertThat(label0.get("trimmed-mean")).containsExactly(4.5f, 1f, 0.5f);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> FdSettings.fromOptions(Map.of("robust", "median", "secure", true)))
                .hasMessageContaining("robust: median needs each participant's per-label logits");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> FdSettings.fromOptions(Map.of("robust", "krum")))
                .hasMessage(
                        "fd: robust: krum needs more than 2f + 2 uploads, and fd combines each"
                                + " label's rows from the few participants holding that label; use"
                                + " median or trimmed-mean");
    }

    /** Runs two rounds and returns the second round's request to p0. */
    private static Message secondRequestToP0(FdStrategy strategy, ScriptedFleet fleet) {
        List<String> all = List.copyOf(new java.util.TreeSet<>(fleet.uploads.keySet()));
        strategy.runRound(new RoundContext(1, 2, 7, all), fleet);
        assertThat(fleet.received).allSatisfy(m -> assertThat(m.tensors().isEmpty()).isTrue());
        fleet.received.clear();
        strategy.runRound(new RoundContext(2, 2, 7, all), fleet);
        return fleet.received.stream()
                .filter(m -> m.participantId().equals("p0"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void uniformWeightingAveragesTheHoldersOfEachLabelEqually() {
        FdStrategy strategy = strategy(Map.of("weighting", "uniform"));
        Message toP0 = secondRequestToP0(strategy, new ScriptedFleet(UPLOADS));
        PerLabelMeans teacher = PerLabelMeans.fromRecord(PerLabelMeans.LOGITS, toP0.tensors());
        // label 0: ((4,1,1) + (7,1,-2)) / 2, whatever the counts; label 1: p1's row alone
        assertThat(teacher.means()[0]).containsExactly(5.5f, 1f, -0.5f);
        assertThat(teacher.teacherRows()[1]).containsExactly(0f, 2f, 0f);
        assertThat(teacher.teacherRows()[2]).isNull();
    }

    @Test
    void teachersAreCountWeightedAndExcludeTheRecipient() {
        ScriptedFleet fleet = new ScriptedFleet(UPLOADS);
        FdStrategy strategy = strategy(Map.of("alpha", Map.of("linear", List.of(0.5, 0.9))));
        Message toP0 = secondRequestToP0(strategy, fleet);
        PerLabelMeans teacher = PerLabelMeans.fromRecord(PerLabelMeans.LOGITS, toP0.tensors());
        // label 0: (1 * (4,1,1) + 3 * (7,1,-2)) / 4 = (6.25, 1, -1.25); p0's own (1,0,0) is
        // excluded
        assertThat(teacher.counts()).containsExactly(4, 3, 0);
        assertThat(teacher.means()[0][0]).isCloseTo(6.25f, within(1e-6f));
        assertThat(teacher.means()[0][2]).isCloseTo(-1.25f, within(1e-6f));
        float[][] rows = teacher.teacherRows();
        assertThat(rows[1]).containsExactly(0f, 2f, 0f);
        assertThat(rows[2]).as("nobody else holds label 2: no teacher").isNull();
        assertThat(toP0.config().getDouble(FdStrategy.ALPHA))
                .as("alpha in the last of 2 rounds")
                .isCloseTo(0.9, within(1e-12));
        assertThat(toP0.config().getDouble(FdStrategy.TEMPERATURE)).isEqualTo(2.0);
    }

    @Test
    void aParticipantTakesItsOwnUploadOutOfTheGlobalMeans() {
        // label 0: global mean 2 over 4 samples, own mean 5 over 1: the others' mean is 1 over 3
        PerLabelMeans global =
                new PerLabelMeans(
                        PerLabelMeans.LOGITS, new float[][] {{2, 4}, {7, 7}}, new int[] {4, 2});
        PerLabelMeans own =
                new PerLabelMeans(
                        PerLabelMeans.LOGITS, new float[][] {{5, 1}, {7, 7}}, new int[] {1, 2});
        PerLabelMeans others = global.without(own);
        assertThat(others.counts()).containsExactly(3, 0);
        assertThat(others.means()[0]).containsExactly(1f, 5f);
        assertThat(others.teacherRows()[1]).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> own.without(global))
                .hasMessageContaining("label 0: own count 4 exceeds the total 1");
    }
}
