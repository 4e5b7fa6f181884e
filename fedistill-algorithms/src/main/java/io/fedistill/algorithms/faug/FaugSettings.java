package io.fedistill.algorithms.faug;

import io.fedistill.algorithms.AlgorithmOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FAug's settings for the augmentation (FD reads the rest of the options).
 *
 * @param targetFraction a label is missing (a target) when a participant holds fewer than this
 *     share of its most frequent label's count
 * @param seedsPerLabel the most seed samples a participant uploads of each target label it holds
 * @param redundancy samples of other labels uploaded per seed slot, hiding which labels are missing
 * @param maxGeneratedPerLabel the most samples generated for one target label (0: until it is as
 *     frequent as the participant's most frequent label)
 * @param ganSteps the conditional GAN's training steps
 * @param ganBatchSize its batch
 * @param ganLearningRate its Adam step size
 * @param noiseWidth the generator's noise width
 * @param hiddenWidth the networks' first hidden width
 * @param ganClassifierWeight the weight of the discriminator's auxiliary label classifier in both
 *     networks' losses (0: a plain conditional GAN)
 */
record FaugSettings(
        double targetFraction,
        int seedsPerLabel,
        int redundancy,
        int maxGeneratedPerLabel,
        int ganSteps,
        int ganBatchSize,
        double ganLearningRate,
        int noiseWidth,
        int hiddenWidth,
        double ganClassifierWeight) {
    static final List<String> OWN =
            List.of(
                    "targetFraction",
                    "seedsPerLabel",
                    "redundancy",
                    "maxGeneratedPerLabel",
                    "ganSteps",
                    "ganBatchSize",
                    "ganLearningRate",
                    "noiseWidth",
                    "hiddenWidth",
                    "ganClassifierWeight");

    /**
     * Reads the augmentation's options, ignoring FD's: {@code targetFraction} (0.1), {@code
     * seedsPerLabel} (5), {@code redundancy} (1), {@code maxGeneratedPerLabel} (0: balance fully),
     * {@code ganSteps} (10000), {@code ganBatchSize} (64), {@code ganLearningRate} (0.0002), {@code
     * noiseWidth} (64), {@code hiddenWidth} (256) and {@code ganClassifierWeight} (1).
     */
    static FaugSettings fromOptions(Map<String, Object> options) {
        Map<String, Object> own = new LinkedHashMap<>(options);
        own.keySet().retainAll(OWN);
        AlgorithmOptions read = new AlgorithmOptions(FaugAlgorithm.NAME, own, OWN);
        return new FaugSettings(
                read.getDouble("targetFraction", 0.1, 0, 1),
                read.getInt("seedsPerLabel", 5, 1, 100_000),
                read.getInt("redundancy", 1, 0, 1000),
                read.getInt("maxGeneratedPerLabel", 0, 0, 10_000_000),
                read.getInt("ganSteps", ConditionalGan.DEFAULT_STEPS, 1, 10_000_000),
                read.getInt("ganBatchSize", ConditionalGan.DEFAULT_BATCH, 2, 1 << 16),
                read.getDouble("ganLearningRate", ConditionalGan.DEFAULT_LEARNING_RATE, 1e-7, 1),
                read.getInt("noiseWidth", ConditionalGan.DEFAULT_NOISE_WIDTH, 1, 1 << 14),
                read.getInt("hiddenWidth", ConditionalGan.DEFAULT_HIDDEN_WIDTH, 1, 1 << 14),
                read.getDouble("ganClassifierWeight", 1, 0, 1000));
    }
}
