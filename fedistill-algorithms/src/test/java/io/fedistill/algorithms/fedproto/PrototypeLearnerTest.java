package io.fedistill.algorithms.fedproto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.PerLabelMeans;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.coordinator.EvaluationProtocol;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.FashionMnist;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.partition.ParticipantSplit;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PrototypeLearnerTest {
    private static DatasetSplits data;
    private static Learner learner;
    private static Learner combinedLearner;
    private static final StateStore STATES = new StateStore(Codec.fp32());
    private static int[] train;

    @BeforeAll
    static void setUp() {
        data = FashionMnist.sample();
        train = IntStream.range(0, 300).toArray();
        ParticipantSetup setup =
                new ParticipantSetup(
                        "p0",
                        ModelSpec.parse("mlp:32@8"),
                        data.train(),
                        new ParticipantSplit("p0", train, IntStream.range(300, 400).toArray()),
                        Optional.of(data.test().head(200)),
                        TrainingSettings.defaults(),
                        Optional.empty());
        learner = PrototypeLearner.create(FedProtoSettings.fromOptions(Map.of()), setup, 3);
        combinedLearner =
                PrototypeLearner.create(
                        FedProtoSettings.fromOptions(Map.of("inference", "combined")), setup, 3);
    }

    private static Message handle(Message request) {
        return handle(learner, request);
    }

    private static Message handle(Learner by, Message request) {
        ParticipantContext context =
                new ParticipantContext("p0", 3, STATES.open("p0", request.id(), request.round()));
        Message reply = by.handle(request, context);
        STATES.commit(request.id());
        return reply;
    }

    private static Message train(PerLabelMeans global) {
        return Message.builder(1, PrototypeStrategy.trainType("fedproto"), "p0")
                .optTensors(global == null ? TensorRecord.empty() : global.toRecord())
                .optConfig(
                        io.fedistill.core.message.ConfigRecord.of(
                                PrototypeStrategy.PROTOTYPE_WEIGHT, 1.0))
                .build();
    }

    @Test
    void uploadsOnePrototypePerClassItHoldsAndClassifiesByTheNearest() {
        Message reply = handle(train(null));
        PerLabelMeans uploaded = PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, reply.tensors());
        assertThat(uploaded.means()).hasDimensions(10, 8);
        int[] expectedCounts = new int[10];
        for (int label : data.train().labels(train)) {
            expectedCounts[label]++;
        }
        assertThat(uploaded.counts()).containsExactly(expectedCounts);
        assertThat(
                        Arrays.stream(uploaded.means())
                                .flatMap(r -> IntStream.range(0, 8).mapToObj(k -> r[k])))
                .allSatisfy(v -> assertThat(v).isFinite());

        // with its own prototypes as the global ones it beats chance on the test set; with a
        // single class's prototype it predicts that class for everything
        Message scored =
                handle(
                        Message.builder(1, MessageType.EVALUATE, "p0")
                                .optTensors(uploaded.toRecord())
                                .build());
        assertThat(scored.metrics().get(EvaluationProtocol.TEST_ACCURACY)).isGreaterThan(0.3);
        assertThat(scored.metrics().get(EvaluationProtocol.LOCAL_SAMPLES)).isEqualTo(100);
        int[] onlyClass3 = new int[10];
        onlyClass3[3] = 1;
        Message oneClass =
                handle(
                        Message.builder(1, MessageType.EVALUATE, "p0")
                                .optTensors(
                                        new PerLabelMeans(
                                                        PerLabelMeans.FEATURES,
                                                        uploaded.means(),
                                                        onlyClass3)
                                                .toRecord())
                                .build());
        assertThat(oneClass.metrics().get(EvaluationProtocol.TEST_PREDICTED_CLASSES)).isEqualTo(1);
        assertThat(oneClass.metrics().get(EvaluationProtocol.TEST_LOSS)).isFinite();
    }

    @Test
    void combinedInferenceScoresTheSameModelByHeadAndPrototypesTogether() {
        Message reply = handle(train(null));
        TensorRecord own =
                PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, reply.tensors()).toRecord();
        Message byPrototypes =
                handle(Message.builder(1, MessageType.EVALUATE, "p0").optTensors(own).build());
        Message combined =
                handle(
                        combinedLearner,
                        Message.builder(1, MessageType.EVALUATE, "p0").optTensors(own).build());
        // the same stored model and prototypes, another rule: the head's probabilities enter the
        // loss, and the answers are still far above chance
        assertThat(combined.metrics().get(EvaluationProtocol.TEST_LOSS))
                .isNotEqualTo(byPrototypes.metrics().get(EvaluationProtocol.TEST_LOSS));
        assertThat(combined.metrics().get(EvaluationProtocol.TEST_ACCURACY)).isGreaterThan(0.3);
    }

    private static Message trainDistilling(TensorRecord tensors) {
        return Message.builder(2, PrototypeStrategy.trainType("fedproto"), "p0")
                .optTensors(tensors)
                .optConfig(
                        io.fedistill.core.message.ConfigRecord.of(
                                PrototypeStrategy.PROTOTYPE_WEIGHT,
                                1.0,
                                PrototypeStrategy.LOGIT_ALPHA,
                                0.5,
                                PrototypeStrategy.LOGIT_TEMPERATURE,
                                2.0))
                .build();
    }

    @Test
    void withLogitDistillationItAlsoUploadsItsPerLabelLogitsAndLearnsFromTheOthers() {
        Message first = handle(trainDistilling(TensorRecord.empty()));
        PerLabelMeans logits =
                PerLabelMeans.fromRecord(
                        PerLabelMeans.LOGITS, first.tensors().section(PrototypeStrategy.LOGITS));
        assertThat(logits.means()).hasDimensions(10, 10);
        assertThat(logits.counts())
                .containsExactly(
                        PerLabelMeans.fromRecord(PerLabelMeans.FEATURES, first.tensors()).counts());
        // taught by a teacher that calls every label's samples class 0, its head drifts there:
        // more of its training split lands on class 0 than without the teacher
        float[][] allClass0 = new float[10][10];
        int[] everyLabel = new int[10];
        for (int c = 0; c < 10; c++) {
            allClass0[c][0] = 20;
            everyLabel[c] = 1;
        }
        Message taught =
                handle(
                        trainDistilling(
                                TensorRecord.builder()
                                        .putAll(
                                                PerLabelMeans.fromRecord(
                                                                PerLabelMeans.FEATURES,
                                                                first.tensors())
                                                        .toRecord())
                                        .putSection(
                                                PrototypeStrategy.TEACHER,
                                                new PerLabelMeans(
                                                                PerLabelMeans.LOGITS,
                                                                allClass0,
                                                                everyLabel)
                                                        .toRecord())
                                        .build()));
        PerLabelMeans after =
                PerLabelMeans.fromRecord(
                        PerLabelMeans.LOGITS, taught.tensors().section(PrototypeStrategy.LOGITS));
        double before0 = 0;
        double after0 = 0;
        for (int c = 1; c < 10; c++) {
            before0 += logits.means()[c][0] - logits.means()[c][c];
            after0 += after.means()[c][0] - after.means()[c][c];
        }
        assertThat(after0).isGreaterThan(before0);

        PerLabelMeans wrong = new PerLabelMeans(PerLabelMeans.LOGITS, new float[10][4], everyLabel);
        assertThatThrownBy(
                        () ->
                                handle(
                                        trainDistilling(
                                                TensorRecord.builder()
                                                        .putSection(
                                                                PrototypeStrategy.TEACHER,
                                                                wrong.toRecord())
                                                        .build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("teacher logits of shape 10 x 4")
                .hasMessageContaining("expected 10 x 10");
    }

    @Test
    void globalPrototypesOfAnotherWidthAreRefusedNamingTheExpectedShape() {
        PerLabelMeans wrong =
                new PerLabelMeans(PerLabelMeans.FEATURES, new float[10][5], new int[10]);
        assertThatThrownBy(() -> handle(train(wrong)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("global prototypes of shape 10 x 5")
                .hasMessageContaining("expected 10 x 8");
    }
}
