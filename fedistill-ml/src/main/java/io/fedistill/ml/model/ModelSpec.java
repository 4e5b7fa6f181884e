package io.fedistill.ml.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A named architecture with its option, written in configs as {@code name} or {@code name:option}
 * ({@code mlp:256-128}, {@code cnn:0.5}, {@code resnet:50}), optionally followed by {@code @width}
 * ({@code lenet@64}): a learned linear projection of the architecture's features to that width
 * before the classifier head, so that different architectures share a feature space for feature
 * distillation.
 *
 * @param architecture the architecture
 * @param hiddenWidths MLP hidden widths (empty for other architectures)
 * @param widthMultiplier CNN width multiplier (1 for other architectures)
 * @param layers ResNet depth (0 for other architectures)
 * @param featureProjection the projected feature width, or 0 for the architecture's own features
 */
public record ModelSpec(
        Architecture architecture,
        List<Integer> hiddenWidths,
        double widthMultiplier,
        int layers,
        int featureProjection) {

    /** Validates the options. */
    public ModelSpec {
        if (featureProjection < 0) {
            throw new IllegalArgumentException(
                    "feature projection width must be >= 1, got " + featureProjection);
        }
        hiddenWidths = List.copyOf(hiddenWidths);
        for (int w : hiddenWidths) {
            if (w < 1) {
                throw new IllegalArgumentException("mlp widths must be >= 1, got " + hiddenWidths);
            }
        }
        if (!(widthMultiplier > 0) || widthMultiplier > 16) {
            throw new IllegalArgumentException(
                    "cnn width multiplier must be in (0, 16], got " + widthMultiplier);
        }
        if (architecture == Architecture.RESNET && layers != 20 && layers != 50) {
            throw new IllegalArgumentException("resnet layers must be 20 or 50, got " + layers);
        }
    }

    /**
     * Parses {@code name[:option]}.
     *
     * @throws IllegalArgumentException naming the bad text and the allowed names
     */
    public static ModelSpec parse(String text) {
        String full = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        int at = full.indexOf('@');
        String trimmed = at < 0 ? full : full.substring(0, at);
        int projection = at < 0 ? 0 : parseProjection(full.substring(at + 1), text);
        return parseArchitecture(trimmed, text).withFeatureProjection(projection);
    }

    private static int parseProjection(String width, String text) {
        try {
            int projection = Integer.parseInt(width);
            if (projection >= 1) {
                return projection;
            }
        } catch (NumberFormatException e) {
            // reported below with the text that failed
        }
        throw new IllegalArgumentException(
                "model '"
                        + text
                        + "' has a malformed feature width '"
                        + width
                        + "'; write e.g. 'lenet@64'");
    }

    /**
     * Returns this architecture with its features projected to {@code width} (0: its own features).
     */
    public ModelSpec withFeatureProjection(int width) {
        return new ModelSpec(architecture, hiddenWidths, widthMultiplier, layers, width);
    }

    private static ModelSpec parseArchitecture(String trimmed, String text) {
        String name = trimmed.contains(":") ? trimmed.substring(0, trimmed.indexOf(':')) : trimmed;
        String option = trimmed.contains(":") ? trimmed.substring(trimmed.indexOf(':') + 1) : "";
        Architecture architecture = null;
        for (Architecture a : Architecture.values()) {
            if (a.configName().equals(name)) {
                architecture = a;
            }
        }
        if (architecture == null) {
            throw new IllegalArgumentException(
                    "unknown model '"
                            + text
                            + "'; allowed: "
                            + Arrays.stream(Architecture.values())
                                    .map(Architecture::configName)
                                    .toList());
        }
        try {
            switch (architecture) {
                case MLP:
                    List<Integer> widths =
                            option.isEmpty()
                                    ? List.of(200, 200)
                                    : Arrays.stream(option.split("-"))
                                            .map(Integer::parseInt)
                                            .toList();
                    return new ModelSpec(architecture, widths, 1, 0, 0);
                case CNN:
                    return new ModelSpec(
                            architecture,
                            List.of(),
                            option.isEmpty() ? 1 : Double.parseDouble(option),
                            0,
                            0);
                case RESNET:
                    return new ModelSpec(
                            architecture,
                            List.of(),
                            1,
                            option.isEmpty() ? 20 : Integer.parseInt(option),
                            0);
                default:
                    if (!option.isEmpty()) {
                        throw new IllegalArgumentException(
                                "model '" + name + "' takes no option, got '" + option + "'");
                    }
                    return new ModelSpec(architecture, List.of(), 1, 0, 0);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "model '" + text + "' has a malformed option '" + option + "'", e);
        }
    }

    /** Returns the config text that parses back to this spec. */
    @Override
    public String toString() {
        return featureProjection == 0
                ? architectureText()
                : architectureText() + "@" + featureProjection;
    }

    private String architectureText() {
        switch (architecture) {
            case MLP:
                return "mlp:"
                        + String.join("-", hiddenWidths.stream().map(String::valueOf).toList());
            case CNN:
                return widthMultiplier == 1 ? "cnn" : "cnn:" + widthMultiplier;
            case RESNET:
                return "resnet:" + layers;
            default:
                return architecture.configName();
        }
    }
}
