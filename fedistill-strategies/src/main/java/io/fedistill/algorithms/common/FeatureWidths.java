package io.fedistill.algorithms.common;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The check of the algorithms that compare features across participants (FD's feature stage,
 * FedProto, FedTGP): every participant's features must be equally wide, and the error that says
 * otherwise suggests a common {@code name@width} projection.
 */
public final class FeatureWidths {
    private FeatureWidths() {}

    /**
     * Returns the participants' common feature width, or fails naming what is missing or the widths
     * that differ.
     *
     * @param who the algorithm and the part of it that needs the width, e.g. {@code "fedproto"}
     * @param models each participant's model spec text
     * @param widthOf a model's feature width, where whoever asks can tell it
     * @throws IllegalArgumentException naming the models and their widths
     */
    public static int common(
            String who, Collection<String> models, Function<String, OptionalInt> widthOf) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String model : models) {
            if (!widths.containsKey(model)) {
                widths.put(
                        model,
                        widthOf.apply(model)
                                .orElseThrow(
                                        () ->
                                                new IllegalArgumentException(
                                                        who
                                                                + " needs every participant's"
                                                                + " feature width, which this"
                                                                + " coordinator cannot compute for"
                                                                + " '"
                                                                + model
                                                                + "': give every model a"
                                                                + " projection width, e.g."
                                                                + " 'mlp@64'")));
            }
        }
        requireEqual(
                who,
                "compares feature prototypes across participants, so every participant's features"
                        + " must be equally wide",
                widths);
        return widths.values().iterator().next();
    }

    /**
     * Fails unless every model has the same value of what must match across participants (a feature
     * width, a head's shapes), suggesting a common {@code name@width} projection.
     *
     * @param who the algorithm, first word of the error
     * @param why what the algorithm needs, in words
     * @param byModel each model spec text's value
     * @throws IllegalArgumentException naming every model's value
     */
    public static void requireEqual(String who, String why, Map<String, ?> byModel) {
        if (new HashSet<>(byModel.values()).size() > 1) {
            throw new IllegalArgumentException(
                    who
                            + " "
                            + why
                            + "; got "
                            + byModel
                            + "; give every model a common projection width, e.g. 'mlp@64',"
                            + " 'lenet@64', 'cnn:0.5@64'");
        }
    }
}
