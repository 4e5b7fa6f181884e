package io.fedistill.ml.train;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Optional;

/**
 * What local training minimizes: cross-entropy, optionally distilled toward a per-label teacher
 * (FD), aligned to per-label feature prototypes, and anchored to global weights by a proximal term
 * (FedProx). Immutable.
 */
public final class LocalObjective {
    private static final LocalObjective CROSS_ENTROPY =
            new LocalObjective(null, false, 1, 1, null, 0, null, 0, null, null, 0);

    private final float[][] labelTeacher;
    private final boolean teacherPerSample;
    private final float alpha;
    private final float temperature;
    private final TensorRecord proximalAnchor;
    private final float mu;
    private final float[][] featureTeacher;
    private final float featureWeight;
    private final float[][] generatedFeatures;
    private final int[] generatedLabels;
    private final float generatedWeight;

    private LocalObjective(
            float[][] labelTeacher,
            boolean teacherPerSample,
            float alpha,
            float temperature,
            TensorRecord proximalAnchor,
            float mu,
            float[][] featureTeacher,
            float featureWeight,
            float[][] generatedFeatures,
            int[] generatedLabels,
            float generatedWeight) {
        this.labelTeacher = labelTeacher;
        this.teacherPerSample = teacherPerSample;
        this.alpha = alpha;
        this.temperature = temperature;
        this.proximalAnchor = proximalAnchor;
        this.mu = mu;
        this.featureTeacher = featureTeacher;
        this.featureWeight = featureWeight;
        this.generatedFeatures = generatedFeatures;
        this.generatedLabels = generatedLabels;
        this.generatedWeight = generatedWeight;
    }

    /** Returns plain cross-entropy. */
    public static LocalObjective crossEntropy() {
        return CROSS_ENTROPY;
    }

    /**
     * Adds distillation toward a teacher logit vector per label.
     *
     * @param perLabelLogits row c is the teacher logits for samples of label c, or null where no
     *     teacher exists (those samples get plain cross-entropy)
     * @param alphaCe weight of cross-entropy, in [0, 1]
     * @param temperatureT temperature, > 0
     * @return the extended objective
     */
    public LocalObjective withLabelTeacher(
            float[][] perLabelLogits, float alphaCe, float temperatureT) {
        if (!(alphaCe >= 0 && alphaCe <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alphaCe);
        }
        if (!(temperatureT > 0) || !Float.isFinite(temperatureT)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperatureT);
        }
        float[][] copy = new float[perLabelLogits.length][];
        for (int c = 0; c < copy.length; c++) {
            copy[c] = perLabelLogits[c] == null ? null : perLabelLogits[c].clone();
        }
        return new LocalObjective(
                copy,
                false,
                alphaCe,
                temperatureT,
                proximalAnchor,
                mu,
                featureTeacher,
                featureWeight,
                generatedFeatures,
                generatedLabels,
                generatedWeight);
    }

    /**
     * Adds distillation toward a teacher logit vector per training sample (a teacher model's
     * predictions on the participant's own data, as the federated teacher-to-student pipeline
     * distills): {@code alpha * CE + (1 - alpha) * T^2 * KL(softmax(t / T) ‖ softmax(s / T))}.
     *
     * @param perSampleLogits row i: the teacher's logits for training sample i
     * @param alphaCe weight of cross-entropy, in [0, 1]
     * @param temperatureT temperature, > 0
     * @return the extended objective
     */
    public LocalObjective withSampleTeacher(
            float[][] perSampleLogits, float alphaCe, float temperatureT) {
        LocalObjective perLabel = withLabelTeacher(perSampleLogits, alphaCe, temperatureT);
        return new LocalObjective(
                perLabel.labelTeacher,
                true,
                alphaCe,
                temperatureT,
                proximalAnchor,
                mu,
                featureTeacher,
                featureWeight,
                generatedFeatures,
                generatedLabels,
                generatedWeight);
    }

    /**
     * Adds feature alignment: pulls each sample's features toward its label's target features
     * (class prototypes), {@code weight * ||f - t_label||^2}, averaged over samples that have one.
     *
     * @param perLabelFeatures row c: target features for label c, or null where none exists
     * @param weight the term's weight, >= 0
     * @return the extended objective
     */
    public LocalObjective withFeatureTeacher(float[][] perLabelFeatures, float weight) {
        if (!(weight >= 0) || !Float.isFinite(weight)) {
            throw new IllegalArgumentException("feature weight must be >= 0, got " + weight);
        }
        float[][] copy = new float[perLabelFeatures.length][];
        for (int c = 0; c < copy.length; c++) {
            copy[c] = perLabelFeatures[c] == null ? null : perLabelFeatures[c].clone();
        }
        return new LocalObjective(
                labelTeacher,
                teacherPerSample,
                alpha,
                temperature,
                proximalAnchor,
                mu,
                copy,
                weight,
                generatedFeatures,
                generatedLabels,
                generatedWeight);
    }

    /** Adds the proximal term {@code mu / 2 * ||w - anchor||^2}. */
    public LocalObjective withProximalTerm(TensorRecord anchor, float proximalMu) {
        if (!(proximalMu >= 0) || !Float.isFinite(proximalMu)) {
            throw new IllegalArgumentException("mu must be >= 0, got " + proximalMu);
        }
        return new LocalObjective(
                labelTeacher,
                teacherPerSample,
                alpha,
                temperature,
                anchor,
                proximalMu,
                featureTeacher,
                featureWeight,
                generatedFeatures,
                generatedLabels,
                generatedWeight);
    }

    /**
     * Adds FedGen's generative regularizer: the head must classify generated features as the labels
     * they were generated for, {@code weight * CE(head(features_i), labels_i)}, one generated
     * sample per training sample (row i goes with the batch that holds training sample i).
     *
     * @param features one generated feature vector per training sample
     * @param labels the label each was generated for
     * @param weight the term's weight, >= 0
     * @return the extended objective
     */
    public LocalObjective withGeneratedFeatures(float[][] features, int[] labels, float weight) {
        if (features.length != labels.length || features.length == 0) {
            throw new IllegalArgumentException(
                    features.length + " generated features for " + labels.length + " labels");
        }
        if (!(weight >= 0) || !Float.isFinite(weight)) {
            throw new IllegalArgumentException("generative weight must be >= 0, got " + weight);
        }
        return new LocalObjective(
                labelTeacher,
                teacherPerSample,
                alpha,
                temperature,
                proximalAnchor,
                mu,
                featureTeacher,
                featureWeight,
                features.clone(),
                labels.clone(),
                weight);
    }

    Optional<float[][]> labelTeacher() {
        return Optional.ofNullable(labelTeacher);
    }

    float alpha() {
        return alpha;
    }

    float temperature() {
        return temperature;
    }

    Optional<TensorRecord> proximalAnchor() {
        return Optional.ofNullable(proximalAnchor);
    }

    float mu() {
        return mu;
    }

    Optional<float[][]> featureTeacher() {
        return Optional.ofNullable(featureTeacher);
    }

    float featureWeight() {
        return featureWeight;
    }

    Optional<float[][]> generatedFeatures() {
        return Optional.ofNullable(generatedFeatures);
    }

    int[] generatedLabels() {
        return generatedLabels;
    }

    float generatedWeight() {
        return generatedWeight;
    }

    boolean teacherPerSample() {
        return teacherPerSample;
    }
}
