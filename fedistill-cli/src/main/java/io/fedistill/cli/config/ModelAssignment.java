package io.fedistill.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.fedistill.ml.model.ModelSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns an architecture to every participant from the experiment's {@code models} field: one name
 * for all; a list, cycled; {@code {list: [...]}} with one entry per participant; {@code {blocks:
 * [...]}} in equal contiguous groups (half mlp, half lenet); or {@code {mapping: {p00: cnn},
 * default: mlp}}.
 */
public final class ModelAssignment {
    private ModelAssignment() {}

    /**
     * Resolves the assignment.
     *
     * @param field the field's path, for messages
     * @param node the YAML value
     * @param participantIds the participants, in order
     * @return each participant's architecture
     */
    public static Map<String, ModelSpec> resolve(
            String field, JsonNode node, List<String> participantIds) {
        int n = participantIds.size();
        Map<String, ModelSpec> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            throw new ConfigException(
                    field + " is required: a model name, a list, or {list|blocks|mapping: ...}");
        }
        if (node.isTextual()) {
            ModelSpec spec = parse(field, node.asText());
            participantIds.forEach(id -> out.put(id, spec));
            return out;
        }
        if (node.isArray()) {
            List<ModelSpec> cycle = parseList(field, node);
            for (int i = 0; i < n; i++) {
                out.put(participantIds.get(i), cycle.get(i % cycle.size()));
            }
            return out;
        }
        if (node.isObject()) {
            if (node.has("list")) {
                List<ModelSpec> list = parseList(field + ".list", node.get("list"));
                if (list.size() != n) {
                    throw new ConfigException(
                            field
                                    + ".list has "
                                    + list.size()
                                    + " models for "
                                    + n
                                    + " participants");
                }
                for (int i = 0; i < n; i++) {
                    out.put(participantIds.get(i), list.get(i));
                }
                return out;
            }
            if (node.has("cycle")) {
                return resolve(field + ".cycle", node.get("cycle"), participantIds);
            }
            if (node.has("blocks")) {
                List<ModelSpec> blocks = parseList(field + ".blocks", node.get("blocks"));
                for (int i = 0; i < n; i++) {
                    out.put(
                            participantIds.get(i),
                            blocks.get((int) ((long) i * blocks.size() / n)));
                }
                return out;
            }
            if (node.has("mapping")) {
                JsonNode mapping = node.get("mapping");
                ModelSpec fallback =
                        node.has("default")
                                ? parse(field + ".default", node.get("default").asText())
                                : null;
                for (Iterator<String> it = mapping.fieldNames(); it.hasNext(); ) {
                    String id = it.next();
                    if (!participantIds.contains(id)) {
                        throw new ConfigException(
                                field
                                        + ".mapping names unknown participant '"
                                        + id
                                        + "'; participants are "
                                        + participantIds.get(0)
                                        + ".."
                                        + participantIds.get(n - 1));
                    }
                }
                for (String id : participantIds) {
                    JsonNode entry = mapping.get(id);
                    if (entry == null && fallback == null) {
                        throw new ConfigException(
                                field + ".mapping has no model for " + id + " and no default");
                    }
                    out.put(
                            id,
                            entry == null
                                    ? fallback
                                    : parse(field + ".mapping." + id, entry.asText()));
                }
                return out;
            }
            throw new ConfigException(
                    field + " must have one of the keys [list, cycle, blocks, mapping]");
        }
        throw new ConfigException(
                field + " must be a model name, a list, or a mapping; got " + node);
    }

    private static List<ModelSpec> parseList(String field, JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ConfigException(field + " must be a non-empty list of model names");
        }
        List<ModelSpec> specs = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            specs.add(parse(field + "[" + i + "]", node.get(i).asText()));
        }
        return specs;
    }

    private static ModelSpec parse(String field, String text) {
        try {
            return ModelSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(field + ": " + e.getMessage(), e);
        }
    }
}
