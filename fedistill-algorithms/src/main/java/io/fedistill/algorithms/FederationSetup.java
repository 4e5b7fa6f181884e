package io.fedistill.algorithms;

import ai.djl.ndarray.types.Shape;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.TrainingSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the coordinator half of an algorithm knows about the federation: the seed, the input
 * shape and classes, each participant's architecture and the training settings.
 *
 * @param seed the run seed
 * @param imageShape (channels, height, width) of one input
 * @param numClasses number of classes
 * @param models each participant's architecture, in fleet order
 * @param training the local training settings
 */
public record FederationSetup(long seed, Shape imageShape, int numClasses, Map<String, ModelSpec> models,
        TrainingSettings training) {
    /** Freezes the map, keeping its order. */
    public FederationSetup {
        models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }
}
