package io.fedistill.algorithms.common;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the rows that participants upload for one label (prototypes of a class) are clipped before
 * they are combined ({@link PerLabelMeans#clippedRows}), named in configs as {@code clipRows}: a
 * defence beside the robust rules that bounds what any one upload can do to a label while leaving
 * the honest rows their spread.
 */
public enum RowClipping {
    /** No clipping: the rows are combined as uploaded. */
    NONE,
    /**
     * A row longer than the median norm of its label's rows is scaled down to it, keeping its
     * direction: FLAME's adaptive clipping (Nguyen et al., USENIX Security 2022), label by label.
     * Holds off rows blown up in scale.
     */
    NORM,
    /**
     * A row farther from its label's entry-by-entry median row than the median distance is pulled
     * along the line to the median until it is that far: centred clipping (Karimireddy et al., ICML
     * 2021), label by label, around the median. Holds off rows that point anywhere.
     */
    CENTRED;

    /** Returns the name used in configs: {@code none}, {@code norm} or {@code centred}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns every config name, for error messages and option checks. */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(RowClipping::configName).toList();
    }

    /** Returns the clipping a config name names (one of {@link #configNames}). */
    public static RowClipping fromConfigName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
