package io.fedistill.ml.train;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Optional;

/**
 * What local training minimizes: cross-entropy, optionally distilled toward a per-label teacher
 * (FD), aligned to per-label feature prototypes, and anchored to global weights by a proximal term
 * (FedProx). Immutable.
 */
public final class LocalObjective {
    private static final LocalObjective CROSS_ENTROPY = new LocalObjective();

    // set only on a fresh copy inside the with-methods, so every instance is immutable once
    // returned
    private float[][] labelTeacher;
    private boolean teacherPerSample;
    private float alpha = 1;
    private float temperature = 1;
    private TensorRecord proximalAnchor;
    private float mu;
    private float[][] featureTeacher;
    private float featureWeight;
    private float[][] generatedFeatures;
    private int[] generatedLabels;
    private float generatedWeight;

    private LocalObjective() {}

    /** Returns a copy of this objective, for a with-method to change one part of. */
    private LocalObjective copy() {
        LocalObjective next = new LocalObjective();
        next.labelTeacher = labelTeacher;
        next.teacherPerSample = teacherPerSample;
        next.alpha = alpha;
        next.temperature = temperature;
        next.proximalAnchor = proximalAnchor;
        next.mu = mu;
        next.featureTeacher = featureTeacher;
        next.featureWeight = featureWeight;
        next.generatedFeatures = generatedFeatures;
        next.generatedLabels = generatedLabels;
        next.generatedWeight = generatedWeight;
        return next;
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
        LocalObjective next = copy();
        next.labelTeacher = copy;
        next.teacherPerSample = false;
        next.alpha = alphaCe;
        next.temperature = temperatureT;
        return next;
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
        LocalObjective next = perLabel.copy();
        next.teacherPerSample = true;
        return next;
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
        LocalObjective next = copy();
        next.featureTeacher = copy;
        next.featureWeight = weight;
        return next;
    }

    /** Adds the proximal term {@code mu / 2 * ||w - anchor||^2}. */
    public LocalObjective withProximalTerm(TensorRecord anchor, float proximalMu) {
        if (!(proximalMu >= 0) || !Float.isFinite(proximalMu)) {
            throw new IllegalArgumentException("mu must be >= 0, got " + proximalMu);
        }
        LocalObjective next = copy();
        next.proximalAnchor = anchor;
        next.mu = proximalMu;
        return next;
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
        LocalObjective next = copy();
        next.generatedFeatures = features.clone();
        next.generatedLabels = labels.clone();
        next.generatedWeight = weight;
        return next;
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
