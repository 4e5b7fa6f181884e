package io.fedistill.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML document into a Jackson tree as YAML means it: anchors, aliases and merge keys
 * ({@code <<: *defaults}) resolved, scalars typed by the YAML 1.2 core rules ({@code yes} and dates
 * stay text). Alias bombs and self-referencing documents are refused: a document may expand to at
 * most {@link #MAX_EXPANDED_NODES} values.
 *
 * <p>Jackson's own YAML parser reads an alias as the alias's name, so {@code mu: *lr} would reach
 * the config as the text {@code lr}; SnakeYAML (which Jackson parses with) resolves them.
 */
final class YamlTreeReader {
    /** The most values an experiment document may expand to once aliases are resolved. */
    static final int MAX_EXPANDED_NODES = 100_000;

    private static final int MAX_ALIASES = 50;
    private static final int MAX_NESTING = 64;

    private YamlTreeReader() {}

    /**
     * Reads one document.
     *
     * @param source names the document in errors
     * @param in the document, UTF-8
     * @return the tree, or {@code null} for an empty document
     * @throws ConfigException naming the line of a syntax error, an alias bomb or a cycle
     */
    static JsonNode read(String source, InputStream in) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new CoreSchemaConstructor(options));
        Object document;
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            document = yaml.load(reader);
        } catch (MarkedYAMLException e) {
            throw new ConfigException(
                    source
                            + " is not valid YAML: "
                            + (e.getProblem() == null ? e.getContext() : e.getProblem())
                            + (e.getProblemMark() == null
                                    ? ""
                                    : " (line " + (e.getProblemMark().getLine() + 1) + ")"),
                    e);
        } catch (YAMLException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot read " + source + ": " + e.getMessage(), e);
        }
        return document == null ? null : new Converter(source).convert(document);
    }

    /** Turns SnakeYAML's shared object graph into a tree, counting what aliases expand to. */
    private static final class Converter {
        private final String source;
        private final Map<Object, Boolean> inProgress = new IdentityHashMap<>();
        private int nodes;

        Converter(String source) {
            this.source = source;
        }

        JsonNode convert(Object value) {
            if (++nodes > MAX_EXPANDED_NODES) {
                throw new ConfigException(
                        source
                                + " expands to more than "
                                + MAX_EXPANDED_NODES
                                + " values once its aliases are resolved; an experiment needs far"
                                + " fewer (is it an alias bomb?)");
            }
            JsonNodeFactory f = JsonNodeFactory.instance;
            if (value == null) {
                return f.nullNode();
            }
            if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
                if (inProgress.put(value, Boolean.TRUE) != null) {
                    throw new ConfigException(
                            source + " refers to itself through an alias; an experiment is a tree");
                }
                try {
                    return value instanceof Map<?, ?> map
                            ? convertMap(map)
                            : convertList((Collection<?>) value);
                } finally {
                    inProgress.remove(value);
                }
            }
            if (value instanceof Boolean b) {
                return f.booleanNode(b);
            }
            if (value instanceof Integer i) {
                return f.numberNode(i);
            }
            if (value instanceof Long l) {
                return f.numberNode(l);
            }
            if (value instanceof BigInteger big) {
                return f.numberNode(big);
            }
            if (value instanceof Double d) {
                return f.numberNode(d);
            }
            if (value instanceof byte[] bytes) {
                return f.binaryNode(bytes);
            }
            return f.textNode(value.toString());
        }

        private ObjectNode convertMap(Map<?, ?> map) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getKey() instanceof Map<?, ?>
                        || entry.getKey() instanceof Collection<?>) {
                    throw new ConfigException(
                            source + " uses a mapping or list as a key; keys are names");
                }
                object.set(String.valueOf(entry.getKey()), convert(entry.getValue()));
            }
            return object;
        }

        private ArrayNode convertList(Collection<?> list) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (Object item : list) {
                array.add(convert(item));
            }
            return array;
        }
    }

    /**
     * SnakeYAML's safe constructor with YAML 1.2 core scalars: only {@code true} and {@code false}
     * are booleans ({@code yes}, {@code on} and {@code n} stay text) and timestamps stay text.
     */
    private static final class CoreSchemaConstructor extends SafeConstructor {
        CoreSchemaConstructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
            yamlConstructors.put(
                    Tag.BOOL,
                    new AbstractConstruct() {
                        @Override
                        public Object construct(Node node) {
                            String text = constructScalar((ScalarNode) node);
                            String lower = text.toLowerCase(Locale.ROOT);
                            return lower.equals("true") || lower.equals("false")
                                    ? Boolean.valueOf(lower)
                                    : text;
                        }
                    });
        }
    }
}
