package io.fedistill.algorithms;

import ai.djl.ndarray.types.Shape;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.TrainingSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the coordinator half of an algorithm knows about the federation: the seed, the input shape
 * and classes, each participant's architecture and the training settings.
 *
 * @param seed the run seed
 * @param imageShape (channels, height, width) of one input
 * @param numClasses number of classes
 * @param models each participant's architecture, in fleet order
 * @param training the local training settings
 * @param publicData the shared public data, if the experiment has any (the coordinator holds it
 *     too)
 */
public record FederationSetup(
        long seed,
        Shape imageShape,
        int numClasses,
        Map<String, ModelSpec> models,
        TrainingSettings training,
        Optional<PublicData> publicData) {
    /** Freezes the map, keeping its order. */
    public FederationSetup {
        models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** Returns what the coordinator halves check of the public data: its size and labels. */
    public Optional<PublicDataFacts> publicDataFacts() {
        return publicData.map(p -> new PublicDataFacts(p.size(), p.labeled()));
    }

    /**
     * Returns the public data.
     *
     * @throws IllegalArgumentException naming the algorithm that needs it when there is none
     */
    public PublicData requirePublicData(String algorithm) {
        return requirePublicData(algorithm, 0);
    }

    /**
     * Returns the public data, checking it can supply subsets of {@code subsetSize} samples.
     *
     * @throws IllegalArgumentException when there is none or it is smaller than a subset
     */
    public PublicData requirePublicData(String algorithm, int subsetSize) {
        PublicDataFacts.require(algorithm, publicDataFacts(), subsetSize);
        return publicData.orElseThrow();
    }
}
