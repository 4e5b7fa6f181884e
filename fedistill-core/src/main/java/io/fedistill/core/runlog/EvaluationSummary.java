package io.fedistill.core.runlog;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * One evaluated round: each participant's model on the global test set and on its local test split,
 * summarized, plus the coordinator's global model where the algorithm has one.
 *
 * @param participantTestAccuracy each participant's accuracy on the global test set
 * @param testLossMean mean participant loss on the global test set
 * @param participantLocalAccuracy each participant's accuracy on its local test split
 * @param participantLocalSamples how many samples each participant's local accuracy comes from
 * @param localLossMean mean participant loss on local test splits
 * @param participantPredictedClasses how many distinct classes each participant's model predicts on
 *     the global test set
 * @param globalAccuracy the global model's test accuracy, if there is a global model
 * @param globalLoss the global model's test loss, if there is a global model
 */
public record EvaluationSummary(
        Map<String, Double> participantTestAccuracy,
        double testLossMean,
        Map<String, Double> participantLocalAccuracy,
        Map<String, Integer> participantLocalSamples,
        double localLossMean,
        Map<String, Integer> participantPredictedClasses,
        OptionalDouble globalAccuracy,
        OptionalDouble globalLoss) {

    /** Freezes the maps. */
    public EvaluationSummary {
        participantTestAccuracy = Map.copyOf(participantTestAccuracy);
        participantLocalAccuracy = Map.copyOf(participantLocalAccuracy);
        // reports stored before local sample counts existed read back without them
        participantLocalSamples =
                participantLocalSamples == null ? Map.of() : Map.copyOf(participantLocalSamples);
        participantPredictedClasses = Map.copyOf(participantPredictedClasses);
    }

    /**
     * How many participants' models predict a single class for the whole test set: models that no
     * longer read their input (dead units), not merely weak ones.
     */
    public int participantsPredictingOneClass() {
        return (int) participantPredictedClasses.values().stream().filter(c -> c <= 1).count();
    }

    /** Mean participant accuracy on the global test set (NaN when nobody reported). */
    public double testAccuracyMean() {
        return participantTestAccuracy.values().stream()
                .mapToDouble(d -> d)
                .average()
                .orElse(Double.NaN);
    }

    /** Lowest participant accuracy on the global test set. */
    public double testAccuracyMin() {
        return participantTestAccuracy.values().stream()
                .mapToDouble(d -> d)
                .min()
                .orElse(Double.NaN);
    }

    /** Highest participant accuracy on the global test set. */
    public double testAccuracyMax() {
        return participantTestAccuracy.values().stream()
                .mapToDouble(d -> d)
                .max()
                .orElse(Double.NaN);
    }

    /** Mean participant accuracy on local test splits. */
    public double localAccuracyMean() {
        return participantLocalAccuracy.values().stream()
                .mapToDouble(d -> d)
                .average()
                .orElse(Double.NaN);
    }

    /** Lowest participant accuracy on local test splits. */
    public double localAccuracyMin() {
        return participantLocalAccuracy.values().stream()
                .mapToDouble(d -> d)
                .min()
                .orElse(Double.NaN);
    }

    /** Highest participant accuracy on local test splits. */
    public double localAccuracyMax() {
        return participantLocalAccuracy.values().stream()
                .mapToDouble(d -> d)
                .max()
                .orElse(Double.NaN);
    }

    /**
     * Accuracy over the pooled local test splits: the correct answers of every participant that
     * reported a sample count, over all their samples (PFLlib's and HtFLlib's metric, which weighs
     * a participant by its split's size); NaN when nobody reported one.
     */
    public double localAccuracyPooled() {
        double correct = 0;
        long samples = 0;
        for (Map.Entry<String, Integer> count : participantLocalSamples.entrySet()) {
            Double accuracy = participantLocalAccuracy.get(count.getKey());
            if (accuracy != null) {
                correct += accuracy * count.getValue();
                samples += count.getValue();
            }
        }
        return samples == 0 ? Double.NaN : correct / samples;
    }
}
