package io.fedistill.algorithms.fedgen;

import io.fedistill.algorithms.AlgorithmOptions;
import java.util.List;
import java.util.Map;

/**
 * FedGen's settings, which both halves read.
 *
 * @param shareModel whether whole models are averaged (FedAvg with one architecture) rather than
 *     only the heads (heterogeneous extractors of one feature width)
 * @param noiseWidth the generator's noise width
 * @param hiddenWidth the generator's hidden width
 * @param serverSteps the generator's training steps per round
 * @param serverBatchSize generated samples per step
 * @param serverLearningRate Adam's step size for the generator
 * @param serverWeightDecay the generator's L2 weight decay, which keeps its features bounded
 * @param diversityWeight the weight of the diversity loss
 * @param generativeWeight the participants' generative regularizer's weight in round 1
 * @param generativeDecay its factor per round (the paper's decaying generative weight)
 */
record FedGenSettings(
        boolean shareModel,
        int noiseWidth,
        int hiddenWidth,
        int serverSteps,
        int serverBatchSize,
        double serverLearningRate,
        double serverWeightDecay,
        double diversityWeight,
        double generativeWeight,
        double generativeDecay) {
    static final String NAME = "fedgen";

    /**
     * Reads FedGen's options, defaulting to the paper's MNIST settings: {@code share} ({@code
     * head}, the default, or {@code model}), {@code noiseWidth} (32), {@code hiddenWidth} (256),
     * {@code serverSteps} (50), {@code serverBatchSize} (128), {@code serverLearningRate} (3e-4),
     * {@code serverWeightDecay} (0.01), {@code diversityWeight} (1), {@code generativeWeight} (10)
     * and {@code generativeDecay} (0.98).
     */
    static FedGenSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        List.of(
                                "share",
                                "noiseWidth",
                                "hiddenWidth",
                                "serverSteps",
                                "serverBatchSize",
                                "serverLearningRate",
                                "serverWeightDecay",
                                "diversityWeight",
                                "generativeWeight",
                                "generativeDecay"));
        return new FedGenSettings(
                read.getString("share", "head", List.of("head", "model")).equals("model"),
                read.getInt("noiseWidth", 32, 1, 1 << 14),
                read.getInt("hiddenWidth", 256, 1, 1 << 14),
                read.getInt("serverSteps", 50, 0, 1_000_000),
                read.getInt("serverBatchSize", 128, 2, 1 << 16),
                read.getDouble("serverLearningRate", 3e-4, 1e-7, 10),
                read.getDouble("serverWeightDecay", 0.01, 0, 10),
                read.getDouble("diversityWeight", 1, 0, 1e6),
                read.getDouble("generativeWeight", 10, 0, 1e6),
                read.getDouble("generativeDecay", 0.98, 0, 1));
    }

    /** Returns the participants' generative weight in a round. */
    double generativeWeight(int round) {
        return generativeWeight * Math.pow(generativeDecay, round - 1);
    }
}
