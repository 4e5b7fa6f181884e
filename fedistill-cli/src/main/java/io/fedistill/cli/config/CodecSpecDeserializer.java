package io.fedistill.cli.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads an experiment's {@code codec} as the codec spec it names, written either as the spec itself
 * ({@code codec: up.probabilities=fp16}, {@code codec: fp16}) or as a map:
 *
 * <pre>
 * codec:
 *   up: {probabilities: fp16, logits: topk:0.1}
 *   down: bf16
 *   compression: deflate
 * </pre>
 *
 * The spec is checked where the config is built, so every error names the field.
 */
final class CodecSpecDeserializer extends JsonDeserializer<String> {

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context)
            throws IOException {
        JsonNode node = parser.readValueAsTree();
        if (node.isTextual()) {
            return node.asText();
        }
        if (!node.isObject()) {
            throw new ConfigException(
                    "codec must be a spec such as fp16 or up.probabilities=fp16, or a map of up,"
                            + " down and compression; got "
                            + node);
        }
        List<String> items = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> roles = value.fields();
                        roles.hasNext(); ) {
                    Map.Entry<String, JsonNode> role = roles.next();
                    items.add(field.getKey() + '.' + role.getKey() + '=' + scalar(role));
                }
            } else {
                items.add(field.getKey() + '=' + scalar(field));
            }
        }
        return String.join(",", items);
    }

    private static String scalar(Map.Entry<String, JsonNode> field) {
        if (!field.getValue().isValueNode()) {
            throw new ConfigException(
                    "codec."
                            + field.getKey()
                            + " must be an encoding such as fp16, not "
                            + field.getValue());
        }
        return field.getValue().asText();
    }
}
