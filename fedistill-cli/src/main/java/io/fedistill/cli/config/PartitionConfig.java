package io.fedistill.cli.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fedistill.ml.partition.Partitioner;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How training data is split among participants. Only the fields the chosen partitioner reads are
 * kept (and written back into a run's {@code config.yaml}): {@code alpha} for {@code dirichlet} and
 * {@code quantity}, {@code labelsPerParticipant} for {@code shards} and {@code pathological}.
 *
 * @param kind {@code iid}, {@code dirichlet}, {@code shards} (McMahan et al.'s random shards of the
 *     label-sorted data), {@code pathological} (PFLlib's and HtFLlib's: exactly that many distinct
 *     labels each) or {@code quantity}
 * @param alpha Dirichlet concentration for {@code dirichlet} and {@code quantity}
 * @param labelsPerParticipant labels per participant for {@code shards} and {@code pathological}
 * @param localTestFraction share of each participant's samples held out as its local test split
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PartitionConfig(
        String kind, Double alpha, Integer labelsPerParticipant, Double localTestFraction) {
    /** The partitioners, each with what it does (for {@code fedistill list}). */
    public static final Map<String, String> DESCRIPTIONS =
            orderedMap(
                    "iid", "uniformly random equal shares",
                    "dirichlet", "label skew: class shares per participant ~ Dirichlet(alpha)",
                    "shards", "pathological label skew: labelsPerParticipant label shards each",
                    "pathological",
                            "exactly labelsPerParticipant distinct labels each, each label split"
                                    + " evenly among its holders (PFLlib's and HtFLlib's split)",
                    "quantity", "IID labels, participant sizes ~ Dirichlet(alpha)");

    /** The partitioner names. */
    public static final List<String> KINDS = List.copyOf(DESCRIPTIONS.keySet());

    private static Map<String, String> orderedMap(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** Applies defaults and checks values. */
    public PartitionConfig {
        kind = kind == null ? "iid" : kind;
        if (!KINDS.contains(kind)) {
            throw new ConfigException(
                    "partition.kind: unknown partitioner '" + kind + "'; allowed: " + KINDS);
        }
        if (kind.equals("dirichlet") || kind.equals("quantity")) {
            alpha = alpha == null ? 0.5 : alpha;
            if (!(alpha > 0) || alpha.isInfinite()) {
                throw new ConfigException("partition.alpha must be > 0, got " + alpha);
            }
        } else {
            alpha = null;
        }
        if (kind.equals("shards") || kind.equals("pathological")) {
            labelsPerParticipant = labelsPerParticipant == null ? 2 : labelsPerParticipant;
            if (labelsPerParticipant < 1) {
                throw new ConfigException(
                        "partition.labelsPerParticipant must be >= 1, got " + labelsPerParticipant);
            }
        } else {
            labelsPerParticipant = null;
        }
        localTestFraction = localTestFraction == null ? 0.1 : localTestFraction;
        if (!(localTestFraction > 0 && localTestFraction <= 0.5)) {
            throw new ConfigException(
                    "partition.localTestFraction must be in (0, 0.5], got " + localTestFraction);
        }
    }

    /** Returns the configured partitioner. */
    public Partitioner partitioner() {
        switch (kind) {
            case "dirichlet":
                return Partitioner.dirichlet(alpha);
            case "shards":
                return Partitioner.shards(labelsPerParticipant);
            case "pathological":
                return Partitioner.pathological(labelsPerParticipant);
            case "quantity":
                return Partitioner.quantitySkew(alpha);
            default:
                return Partitioner.iid();
        }
    }
}
