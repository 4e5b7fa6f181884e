package io.fedistill.algorithms.dsfl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.algorithms.Schedule;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.core.aggregate.RobustAggregation;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DsflStrategyTest {
    /**
     * Two participants answering fixed soft labels on a one-sample subset, and recording what they
     * are sent.
     */
    private static final class ScriptedFleet implements Fleet {
        final List<Message> distillRequests = new ArrayList<>();
        private final float[] countsOfB;

        ScriptedFleet() {
            this(new float[] {5, 5});
        }

        /** A fleet in which b reports {@code countsOfB} as its label counts. */
        ScriptedFleet(float[] countsOfB) {
            this.countsOfB = countsOfB;
        }

        @Override
        public List<String> participantIds() {
            return List.of("a", "b");
        }

        @Override
        public ExchangeResult exchange(List<Message> requests, ReplySpec spec) {
            List<Message> replies = new ArrayList<>();
            for (Message request : requests) {
                if (request.type().equals(DsflAlgorithm.PROTOCOL.distillType())) {
                    distillRequests.add(request);
                    replies.add(
                            request.reply().optMetrics(Metrics.of("distill_loss", 0.5)).build());
                    continue;
                }
                float[] labels =
                        request.participantId().equals("a")
                                ? new float[] {0.8f, 0.2f}
                                : new float[] {0.4f, 0.6f};
                float[] counts =
                        request.participantId().equals("a") ? new float[] {30, 0} : countsOfB;
                Message reply =
                        request.reply()
                                .optTensors(
                                        TensorRecord.builder()
                                                .put(
                                                        KnowledgeProtocol.KNOWLEDGE,
                                                        Tensor.of(new int[] {1, 2}, labels),
                                                        TensorRole.PROBABILITIES)
                                                .put(
                                                        KnowledgeProtocol.LABEL_COUNTS,
                                                        Tensor.vector(counts),
                                                        TensorRole.COUNTS)
                                                .build())
                                .optMetrics(
                                        Metrics.of(
                                                "examples",
                                                counts[0] + counts[1],
                                                KnowledgeProtocol.VALIDATION_ACCURACY,
                                                0.5))
                                .build();
                assertThat(spec.check(request, reply)).isEmpty();
                replies.add(reply);
            }
            return new ExchangeResult(replies, List.of(), List.of());
        }
    }

    private static Metrics runOneRound(Map<String, Object> options, ScriptedFleet fleet) {
        DsflAlgorithm algorithm = DsflAlgorithm.fromOptions(options);
        assertThat(algorithm.name()).isEqualTo("dsfl");
        return newStrategy(options, 0)
                .runRound(new RoundContext(1, 1, 3, List.of("a", "b")), fleet);
    }

    private static DsflStrategy newStrategy(Map<String, Object> options, double trustStepSize) {
        return newStrategy(options, trustStepSize, RobustAggregation.mean());
    }

    private static DsflStrategy newStrategy(
            Map<String, Object> options, double trustStepSize, RobustAggregation robust) {
        return newStrategy(options, trustStepSize, robust, 0, false);
    }

    /**
     * A strategy whose coordinator knows the labels of {@code rootLabels} subset samples (0s), and
     * checks the participants' label priors if {@code priorCheck}.
     */
    private static DsflStrategy newStrategy(
            Map<String, Object> options,
            double trustStepSize,
            RobustAggregation robust,
            int rootLabels,
            boolean priorCheck) {
        return (DsflStrategy)
                new DsflSettings(
                                1,
                                !"mean".equals(options.get("aggregation")),
                                Schedule.constant(0.1),
                                Schedule.constant(1),
                                1,
                                0,
                                Schedule.linear(1, 0.5),
                                io.fedistill.core.aggregate.ParticipantWeighting.parse(
                                        (String) options.getOrDefault("weighting", "uniform")),
                                robust,
                                priorCheck,
                                rootLabels,
                                trustStepSize,
                                java.util.Optional.empty())
                        .newStrategy(
                                2,
                                java.util.Optional.of(
                                        (java.util.function.LongFunction<int[]>)
                                                seed -> new int[rootLabels]));
    }

    @Test
    void eraSendsTheSharpenedMeanAndReportsItsEntropy() {
        ScriptedFleet fleet = new ScriptedFleet();
        Metrics metrics = runOneRound(Map.of("aggregation", "era"), fleet);
        float[] sent =
                fleet.distillRequests
                        .get(0)
                        .tensors()
                        .get(KnowledgeProtocol.TARGETS)
                        .toFloatArray();
        // mean (0.6, 0.4) sharpened at T = 0.1: softmax(6, 4) = (0.8807971, 0.1192029)
        assertThat(sent[0]).isCloseTo(0.8807971f, within(1e-6f));
        assertThat(metrics.get("label_entropy")).isCloseTo(0.3653339, within(1e-6));
        assertThat(metrics.get("mean_label_entropy")).isCloseTo(0.6730117, within(1e-6));
        assertThat(fleet.distillRequests)
                .extracting(Message::participantId)
                .containsExactly("a", "b");
        assertThat(fleet.distillRequests.get(0).config().getDouble("distill_weight"))
                .as("single round: the end value")
                .isEqualTo(0.5);
    }

    @Test
    void meanAggregationWithClassCountWeights() {
        ScriptedFleet fleet = new ScriptedFleet();
        runOneRound(Map.of("aggregation", "mean", "weighting", "class-counts"), fleet);
        float[] sent =
                fleet.distillRequests
                        .get(0)
                        .tensors()
                        .get(KnowledgeProtocol.TARGETS)
                        .toFloatArray();
        // class 0 weighted 30:5 -> (30 * 0.8 + 5 * 0.4) / 35 = 0.7428571; class 1 only b holds ->
        // 0.6;
        // the row is rescaled to sum to 1
        assertThat(sent[0]).isCloseTo(0.7428571f / 1.3428571f, within(1e-6f));
        assertThat(sent[1]).isCloseTo(0.6f / 1.3428571f, within(1e-6f));
    }

    @Test
    void trustLowersTheWeightOfTheParticipantFartherFromTheMeanAndIsCheckpointed() {
        Map<String, Object> options = Map.of("aggregation", "mean", "weighting", "class-counts");
        ScriptedFleet fleet = new ScriptedFleet();
        DsflStrategy strategy = newStrategy(options, 1);

        Metrics metrics = strategy.runRound(new RoundContext(1, 2, 3, List.of("a", "b")), fleet);

        // the class-count mean of the test above, (0.5531915, 0.4468085), is the reference: a is
        // 0.3490399 from it and b 0.2166455, so a's trust relative to b's is
        // exp(-(0.3490399 - 0.2166455)) = 0.8759954, which scales a's weight for class 0:
        // (30 * 0.8759954 * 0.8 + 5 * 0.4) / (30 * 0.8759954 + 5) = 0.7360611; class 1 is b's alone
        assertThat(metrics.get("trust_lowest")).isCloseTo(0.8759954, within(1e-6));
        assertThat(targetsSent(fleet, 0)[0]).isCloseTo(0.7360611f / 1.3360611f, within(1e-6f));

        // a strategy restored from the checkpoint charges the second round on top of the first
        DsflStrategy restored = newStrategy(options, 1);
        restored.restore(strategy.snapshot());
        ScriptedFleet second = new ScriptedFleet();
        restored.runRound(new RoundContext(2, 2, 3, List.of("a", "b")), second);
        // a's relative trust is now 0.8759954^2 = 0.7673679: (30 * 0.7673679 * 0.8 + 5 * 0.4) /
        // (30 * 0.7673679 + 5), rescaled with b's 0.6, is 0.5484053
        assertThat(targetsSent(second, 0)[0]).isCloseTo(0.5484053f, within(1e-6f));
        assertThat(strategy.snapshot().names()).containsExactly("trust/a", "trust/b");
    }

    @Test
    void underTheMedianTrustScalesTheWeightsTheMedianReads() {
        ScriptedFleet fleet = new ScriptedFleet();
        DsflStrategy strategy =
                newStrategy(
                        Map.of("aggregation", "mean", "weighting", "examples"),
                        2,
                        RobustAggregation.median());

        Metrics metrics = strategy.runRound(new RoundContext(1, 1, 3, List.of("a", "b")), fleet);

        // by examples a weighs 30 against b's 10, so the median is a's (0.8, 0.2); b is
        // sqrt(0.4^2 + 0.4^2) = 0.5656854 from it, a 0, so b's trust is exp(-2 * 0.5656854) and
        // a, the weightier and more trusted, still decides the median
        assertThat(metrics.get("trust_lowest")).isCloseTo(Math.exp(-2 * 0.5656854), within(1e-6));
        assertThat(targetsSent(fleet, 0)).containsExactly(0.8f, 0.2f);
    }

    @Test
    void rootLabelsScaleEachParticipantsClassWeightByItsReliabilityOnThatClass() {
        ScriptedFleet fleet = new ScriptedFleet();
        DsflStrategy strategy =
                newStrategy(Map.of("aggregation", "mean"), 0, RobustAggregation.mean(), 1, false);

        strategy.runRound(new RoundContext(1, 1, 3, List.of("a", "b")), fleet);

        // the one sample is a root sample of class 0: a gives it 0.8, b 0.4, so class 0's equal
        // weights become 0.5 * 0.8 : 0.5 * 0.4 = 2/3 : 1/3 and its mean 2/3 * 0.8 + 1/3 * 0.4 =
        // 0.6666667; class 1 has no root sample and keeps the plain mean, 0.4; rescaled to sum to 1
        assertThat(targetsSent(fleet, 0)[0]).isCloseTo(0.6666667f / 1.0666667f, within(1e-6f));
        assertThat(targetsSent(fleet, 0)[1]).isCloseTo(0.4f / 1.0666667f, within(1e-6f));
    }

    @Test
    void thePriorCheckTakesTheVoteOfAParticipantThatPredictsLeastWhatItHoldsMost() {
        // b reports holding class 0 four times as often as class 1 but gives class 1 more mass
        ScriptedFleet fleet = new ScriptedFleet(new float[] {8, 2});
        DsflStrategy strategy =
                newStrategy(Map.of("aggregation", "mean"), 0, RobustAggregation.mean(), 0, true);

        Metrics metrics = strategy.runRound(new RoundContext(1, 1, 3, List.of("a", "b")), fleet);

        // a's (0.8, 0.2) agrees with its counts (30, 0); b's (0.4, 0.6) against (8, 2) does not:
        // the mean is a's alone, and b is still sent it to distill
        assertThat(metrics.get("participants_flagged")).isEqualTo(1);
        assertThat(targetsSent(fleet, 0)).containsExactly(0.8f, 0.2f);
        assertThat(fleet.distillRequests)
                .extracting(Message::participantId)
                .containsExactly("a", "b");

        // trust and the median after the check keep b's weight at 0: the targets stay a's
        ScriptedFleet trusting = new ScriptedFleet(new float[] {8, 2});
        Metrics trusted =
                newStrategy(Map.of("aggregation", "mean"), 1, RobustAggregation.median(), 0, true)
                        .runRound(new RoundContext(1, 1, 3, List.of("a", "b")), trusting);
        assertThat(trusted.get("participants_flagged")).isEqualTo(1);
        assertThat(targetsSent(trusting, 0)).containsExactly(0.8f, 0.2f);

        // with counts that agree with its soft labels, b keeps its vote
        ScriptedFleet agreeing = new ScriptedFleet(new float[] {2, 8});
        Metrics kept =
                newStrategy(Map.of("aggregation", "mean"), 0, RobustAggregation.mean(), 0, true)
                        .runRound(new RoundContext(1, 1, 3, List.of("a", "b")), agreeing);
        assertThat(kept.get("participants_flagged")).isZero();
        assertThat(targetsSent(agreeing, 0)[0]).isCloseTo(0.6f, within(1e-6f));
    }

    private static float[] targetsSent(ScriptedFleet fleet, int request) {
        return fleet.distillRequests
                .get(request)
                .tensors()
                .get(KnowledgeProtocol.TARGETS)
                .toFloatArray();
    }
}
