package io.fedistill.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fedistill.core.aggregate.ParticipantWeighting.Contribution;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftLabelsTest {
    private final float[][] a = {{0.8f, 0.2f}};
    private final float[][] b = {{0.4f, 0.6f}};
    private final List<Contribution> contributions =
            List.of(
                    new Contribution(30, new double[] {30, 0}, 0.9),
                    new Contribution(10, new double[] {5, 5}, 0.3));

    @Test
    void weightingsGiveHandComputedWeights() {
        assertThat(ParticipantWeighting.UNIFORM.weights(contributions, 2)[0])
                .containsExactly(0.5, 0.5);
        assertThat(ParticipantWeighting.EXAMPLES.weights(contributions, 2)[0])
                .containsExactly(0.75, 0.75);
        double[][] byClass = ParticipantWeighting.CLASS_COUNTS.weights(contributions, 2);
        assertThat(byClass[0][0]).isCloseTo(30.0 / 35, within(1e-12));
        assertThat(byClass[0][1]).isEqualTo(0.0);
        assertThat(byClass[1][1]).isEqualTo(1.0);
        assertThat(ParticipantWeighting.VALIDATION_ACCURACY.weights(contributions, 2)[1][0])
                .isCloseTo(0.25, within(1e-12));
        assertThat(ParticipantWeighting.parse("validation-accuracy"))
                .isEqualTo(ParticipantWeighting.VALIDATION_ACCURACY);
        assertThatThrownBy(() -> ParticipantWeighting.parse("votes"))
                .hasMessageContaining(
                        "allowed: [uniform, examples, class-counts, validation-accuracy]");
        // an upload under differential privacy withholds its counts: uniform weighting does
        // without them, class counts cannot
        List<Contribution> withheld =
                List.of(contributions.get(0), new Contribution(10, new double[0], 0.3));
        assertThat(ParticipantWeighting.UNIFORM.weights(withheld, 2)[1]).containsExactly(0.5, 0.5);
        assertThatThrownBy(() -> ParticipantWeighting.CLASS_COUNTS.weights(withheld, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("withheld its label counts")
                .hasMessageContaining("class-counts weighting needs");
    }

    @Test
    void eraSharpensTheMeanAndLowersEntropy() {
        float[][] mean =
                SoftLabels.weightedMean(
                        List.of(a, b), ParticipantWeighting.UNIFORM.weights(contributions, 2));
        assertThat(mean[0][0]).isCloseTo(0.6f, within(1e-6f));
        // softmax((0.6, 0.4) / 0.1) = softmax(6, 4) = (1 / (1 + e^-2), ...) = (0.8807971,
        // 0.1192029)
        float[][] era = SoftLabels.softmax(mean, 0.1);
        assertThat(era[0][0]).isCloseTo(0.8807971f, within(1e-6f));
        // entropy of (0.6, 0.4) = 0.6730117 nats; of the ERA labels 0.3653339
        assertThat(SoftLabels.meanEntropy(mean)).isCloseTo(0.6730117, within(1e-6));
        assertThat(SoftLabels.meanEntropy(era)).isCloseTo(0.3653339, within(1e-6));
    }
}
