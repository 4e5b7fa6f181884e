package io.fedistill.algorithms;

import ai.djl.ndarray.types.Shape;
import io.fedistill.algorithms.common.FeatureWidths;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.TrainingSettings;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

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

    /** Returns the distinct model spec texts of the participants, in fleet order. */
    public Set<String> modelTexts() {
        Set<String> texts = new LinkedHashSet<>();
        models.values().forEach(spec -> texts.add(spec.toString()));
        return texts;
    }

    /**
     * Returns the feature width of one of the participants' models, named by its spec text, as the
     * zoo builds it; empty for a text no participant runs.
     */
    public OptionalInt featureWidthOf(String modelText) {
        return models.values().stream()
                .filter(spec -> spec.toString().equals(modelText))
                .findFirst()
                .map(
                        spec ->
                                OptionalInt.of(
                                        Math.toIntExact(
                                                ModelZoo.featureWidth(
                                                        spec, imageShape, numClasses))))
                .orElse(OptionalInt.empty());
    }

    /**
     * Returns the participants' common feature width.
     *
     * @param who the algorithm (and the part of it) that compares features, for the error
     * @throws IllegalArgumentException naming the models' widths when they differ, suggesting a
     *     common {@code name@width} projection
     */
    public int commonFeatureWidth(String who) {
        return FeatureWidths.common(who, modelTexts(), this::featureWidthOf);
    }
}
