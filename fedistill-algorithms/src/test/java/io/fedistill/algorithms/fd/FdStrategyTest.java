package io.fedistill.algorithms.fd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.algorithms.Schedule;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FdStrategyTest {
    private static final int C = 3;

    /** A fleet of three participants whose uploads are fixed per-label logits. */
    private static final class ScriptedFleet implements Fleet {
        final Map<String, PerLabelMeans> uploads;
        final List<Message> received = new ArrayList<>();

        ScriptedFleet(Map<String, PerLabelMeans> uploads) {
            this.uploads = uploads;
        }

        @Override
        public List<String> participantIds() {
            return List.copyOf(uploads.keySet());
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            received.addAll(requests);
            List<Message> replies = requests.stream().map(r -> r.reply()
                    .optTensors(uploads.get(r.participantId()).toRecord())
                    .optMetrics(Metrics.of("examples", 1)).build()).toList();
            for (int i = 0; i < replies.size(); i++) {
                assertThat(spec.check(requests.get(i), replies.get(i))).as("FD's own reply spec").isEmpty();
            }
            return new ExchangeResult(replies, List.of(), List.of());
        }
    }

    @Test
    void teachersAreCountWeightedAndExcludeTheRecipient() {
        // p0 holds labels 0 and 2 only; p1 holds labels 0 and 1; p2 holds label 0 only
        PerLabelMeans p0 = new PerLabelMeans(PerLabelMeans.LOGITS, new float[][] {{1, 0, 0}, {0, 0, 0}, {0, 0, 9}}, new int[] {2, 0, 5});
        PerLabelMeans p1 = new PerLabelMeans(PerLabelMeans.LOGITS, new float[][] {{4, 1, 1}, {0, 2, 0}, {0, 0, 0}}, new int[] {1, 3, 0});
        PerLabelMeans p2 = new PerLabelMeans(PerLabelMeans.LOGITS, new float[][] {{7, 1, -2}, {0, 0, 0}, {0, 0, 0}}, new int[] {3, 0, 0});
        ScriptedFleet fleet = new ScriptedFleet(Map.of("p0", p0, "p1", p1, "p2", p2));
        FdStrategy strategy = new FdStrategy(C, Schedule.linear(0.5, 0.9), Schedule.constant(2.0));
        List<String> all = List.of("p0", "p1", "p2");
        strategy.runRound(new RoundContext(1, 2, 7, all), fleet);
        assertThat(fleet.received).allSatisfy(m -> assertThat(m.tensors().isEmpty()).isTrue());

        fleet.received.clear();
        strategy.runRound(new RoundContext(2, 2, 7, all), fleet);
        Message toP0 = fleet.received.stream().filter(m -> m.participantId().equals("p0")).findFirst().orElseThrow();
        PerLabelMeans teacher = PerLabelMeans.fromRecord(PerLabelMeans.LOGITS, toP0.tensors());
        // label 0: (1 * (4,1,1) + 3 * (7,1,-2)) / 4 = (6.25, 1, -1.25); p0's own (1,0,0) is excluded
        assertThat(teacher.counts()).containsExactly(4, 3, 0);
        assertThat(teacher.means()[0][0]).isCloseTo(6.25f, within(1e-6f));
        assertThat(teacher.means()[0][2]).isCloseTo(-1.25f, within(1e-6f));
        float[][] rows = teacher.teacherRows();
        assertThat(rows[1]).containsExactly(0f, 2f, 0f);
        assertThat(rows[2]).as("nobody else holds label 2: no teacher").isNull();
        assertThat(toP0.config().getDouble(FdAlgorithm.ALPHA)).as("alpha in the last of 2 rounds").isCloseTo(0.9, within(1e-12));
        assertThat(toP0.config().getDouble(FdAlgorithm.TEMPERATURE)).isEqualTo(2.0);
    }
}
