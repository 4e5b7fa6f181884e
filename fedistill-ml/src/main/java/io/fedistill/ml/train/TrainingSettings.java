package io.fedistill.ml.train;

import io.fedistill.core.federation.FederationSpec;
import java.util.Arrays;
import java.util.Locale;

/**
 * How a participant trains locally.
 *
 * @param optimizer SGD with momentum or Adam
 * @param learningRate step size, > 0
 * @param momentum SGD momentum in [0, 1)
 * @param batchSize samples per step, >= 1
 * @param epochs local epochs per round, >= 1
 * @param weightDecay L2 weight decay, >= 0
 * @param gradientClipNorm the largest global L2 norm of one step's gradients: larger ones are
 *     scaled down to it before the optimizer reads them; 0 for no clipping
 * @param localSteps when above 0, local training runs exactly this many mini-batch steps per round
 *     (through reshuffled passes over the data, as FedGen's protocol counts local work) instead of
 *     {@code epochs} passes
 */
public record TrainingSettings(
        OptimizerKind optimizer,
        float learningRate,
        float momentum,
        int batchSize,
        int epochs,
        float weightDecay,
        float gradientClipNorm,
        int localSteps) {

    /** Validates every field, naming the bad one. */
    public TrainingSettings {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer is required");
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("local epochs must be >= 1, got " + epochs);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (!(gradientClipNorm >= 0) || !Float.isFinite(gradientClipNorm)) {
            throw new IllegalArgumentException(
                    "gradient clip norm must be >= 0 (0: no clipping), got " + gradientClipNorm);
        }
        if (localSteps < 0) {
            throw new IllegalArgumentException(
                    "local steps must be >= 0 (0: whole epochs), got " + localSteps);
        }
    }

    /** Settings that train whole epochs. */
    public TrainingSettings(
            OptimizerKind optimizer,
            float learningRate,
            float momentum,
            int batchSize,
            int epochs,
            float weightDecay,
            float gradientClipNorm) {
        this(
                optimizer,
                learningRate,
                momentum,
                batchSize,
                epochs,
                weightDecay,
                gradientClipNorm,
                0);
    }

    /** Settings without gradient clipping. */
    public TrainingSettings(
            OptimizerKind optimizer,
            float learningRate,
            float momentum,
            int batchSize,
            int epochs,
            float weightDecay) {
        this(optimizer, learningRate, momentum, batchSize, epochs, weightDecay, 0f);
    }

    /**
     * Returns the settings a federation spec carries.
     *
     * @throws IllegalArgumentException naming an unknown optimizer or a value out of range
     */
    public static TrainingSettings of(FederationSpec.Training spec) {
        OptimizerKind optimizer;
        try {
            optimizer = OptimizerKind.valueOf(spec.optimizer().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown optimizer '"
                            + spec.optimizer()
                            + "'; known: "
                            + Arrays.stream(OptimizerKind.values())
                                    .map(k -> k.name().toLowerCase(Locale.ROOT))
                                    .toList(),
                    e);
        }
        return new TrainingSettings(
                optimizer,
                (float) spec.learningRate(),
                (float) spec.momentum(),
                spec.batchSize(),
                spec.localEpochs(),
                (float) spec.weightDecay(),
                (float) spec.gradientClipNorm(),
                spec.localSteps());
    }

    /** SGD, learning rate 0.05, momentum 0.9, batch 64, one epoch, no weight decay. */
    public static TrainingSettings defaults() {
        return new TrainingSettings(OptimizerKind.SGD, 0.05f, 0.9f, 64, 1, 0f);
    }

    /** Returns a copy with another learning rate. */
    public TrainingSettings withLearningRate(float newLearningRate) {
        return new TrainingSettings(
                optimizer,
                newLearningRate,
                momentum,
                batchSize,
                epochs,
                weightDecay,
                gradientClipNorm,
                localSteps);
    }

    /** Returns a copy with another number of local epochs. */
    public TrainingSettings withEpochs(int newEpochs) {
        return new TrainingSettings(
                optimizer,
                learningRate,
                momentum,
                batchSize,
                newEpochs,
                weightDecay,
                gradientClipNorm,
                localSteps);
    }
}
