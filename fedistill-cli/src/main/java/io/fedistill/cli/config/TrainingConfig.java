package io.fedistill.cli.config;

import io.fedistill.core.federation.FederationSpec;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Locale;

/**
 * Local training settings as written in the experiment file.
 *
 * @param optimizer {@code sgd} or {@code adam}
 * @param learningRate step size
 * @param momentum SGD momentum
 * @param batchSize samples per step
 * @param localEpochs epochs per round
 * @param weightDecay L2 weight decay
 * @param gradientClipNorm largest global gradient norm of a step (0, the default: no clipping)
 * @param localSteps mini-batch steps per round instead of whole epochs (0, the default: epochs)
 */
public record TrainingConfig(
        String optimizer,
        Double learningRate,
        Double momentum,
        Integer batchSize,
        Integer localEpochs,
        Double weightDecay,
        Double gradientClipNorm,
        Integer localSteps) {

    /** Applies defaults and checks values, naming the field. */
    public TrainingConfig {
        optimizer = optimizer == null ? "sgd" : optimizer.toLowerCase(Locale.ROOT);
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new ConfigException(
                    "training.optimizer: unknown optimizer '"
                            + optimizer
                            + "'; allowed: [sgd, adam]");
        }
        learningRate = learningRate == null ? 0.05 : learningRate;
        momentum = momentum == null ? 0.9 : momentum;
        batchSize = batchSize == null ? 64 : batchSize;
        localEpochs = localEpochs == null ? 1 : localEpochs;
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        gradientClipNorm = gradientClipNorm == null ? 0.0 : gradientClipNorm;
        localSteps = localSteps == null ? 0 : localSteps;
        try {
            new TrainingSettings(
                    OptimizerKind.SGD,
                    learningRate.floatValue(),
                    momentum.floatValue(),
                    batchSize,
                    localEpochs,
                    weightDecay.floatValue(),
                    gradientClipNorm.floatValue(),
                    localSteps);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("training: " + e.getMessage(), e);
        }
    }

    /** Returns the settings for the trainer. */
    public TrainingSettings settings() {
        return TrainingSettings.of(spec());
    }

    /** Returns these settings as a federation spec carries them to participants. */
    public FederationSpec.Training spec() {
        return new FederationSpec.Training(
                optimizer,
                learningRate,
                momentum,
                batchSize,
                localEpochs,
                weightDecay,
                gradientClipNorm,
                localSteps);
    }
}
