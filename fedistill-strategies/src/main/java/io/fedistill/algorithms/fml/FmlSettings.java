package io.fedistill.algorithms.fml;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import java.util.Map;
import java.util.stream.Stream;

/**
 * FML's settings, which both halves read, so that a coordinator without model code refuses what its
 * participants would.
 *
 * @param exchange how the shared global model is averaged (FedAvg's options)
 * @param globalModel the shared global model's spec text
 * @param alpha the private model's cross-entropy weight, in [0, 1]
 * @param beta the global model's cross-entropy weight, in [0, 1]
 */
public record FmlSettings(
        WeightAveragingSettings exchange, String globalModel, double alpha, double beta) {
    /** The name used in configs. */
    public static final String NAME = WeightAveragingSettings.FML;

    /**
     * Reads FML's options: {@code model} (required: the global model's architecture, which every
     * participant must know; HtFLlib takes the first participant's), {@code alpha} (the private
     * model's cross-entropy weight, default 0.5) and {@code beta} (the global model's, default 0.5:
     * HtFLlib's tuned values), and FedAvg's options for averaging the global model.
     */
    public static FmlSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        Stream.concat(
                                        WeightAveragingSettings.FML_OPTIONS.stream(),
                                        WeightAveragingSettings.OPTIONS.stream())
                                .toList());
        return new FmlSettings(
                WeightAveragingSettings.fml(options),
                read.getParsed("model", "the global model's architecture, e.g. cnn:0.5", m -> m),
                read.getDouble("alpha", 0.5, 0, 1),
                read.getDouble("beta", 0.5, 0, 1));
    }
}
