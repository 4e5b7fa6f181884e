package io.fedistill.cli.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads experiment YAML, applies {@code --set key=value} overrides and binds it to a validated
 * {@link ExperimentConfig}, turning every parse or validation failure into a {@link
 * ConfigException} that names the field.
 */
public final class ExperimentLoader {
    private static final ObjectMapper YAML =
            new ObjectMapper(
                            new YAMLFactory()
                                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    /** The file name of a run's record inside its run directory. */
    public static final String RUN_RECORD = "config.yaml";

    private static final String RUN_RECORD_EXPERIMENT = "experiment";
    private static final String RUN_RECORD_PROVENANCE = "provenance";

    private ExperimentLoader() {}

    /** Loads an experiment file with overrides. */
    public static ExperimentConfig load(Path file, List<String> overrides) {
        if (Files.isDirectory(file)) {
            throw new ConfigException(
                    "experiment "
                            + file
                            + " is a directory, not a YAML file"
                            + (Files.isRegularFile(file.resolve(RUN_RECORD))
                                    ? "; to repeat the run recorded there, give "
                                            + file.resolve(RUN_RECORD)
                                    : ""));
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("experiment file " + file + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return load(file.toString(), in, overrides);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the experiment a run directory recorded, to resume it.
     *
     * @throws ConfigException when the directory is not a run directory
     */
    public static ExperimentConfig loadRunRecord(Path runDirectory) {
        if (!Files.exists(runDirectory)) {
            throw new ConfigException(runDirectory + " does not exist");
        }
        if (!Files.isRegularFile(runDirectory.resolve(RUN_RECORD))) {
            throw new ConfigException(
                    runDirectory
                            + " is not a run directory: it has no "
                            + RUN_RECORD
                            + " (give the directory a run wrote, runs/<name>-<timestamp>)");
        }
        return load(runDirectory.resolve(RUN_RECORD), List.of());
    }

    /**
     * Loads an experiment from a stream ({@code source} names it in errors). A run's own {@code
     * config.yaml} (the experiment under {@code experiment:} beside its {@code provenance:}) loads
     * as the experiment it recorded.
     */
    public static ExperimentConfig load(String source, InputStream in, List<String> overrides) {
        JsonNode tree = YamlTreeReader.read(source, in);
        if (tree != null && isRunRecord(tree)) {
            tree = tree.get(RUN_RECORD_EXPERIMENT);
        }
        if (tree == null || !tree.isObject()) {
            throw new ConfigException(source + " must hold a YAML mapping of experiment fields");
        }
        ObjectNode root = (ObjectNode) tree;
        for (String override : overrides) {
            applyOverride(root, override);
        }
        return bind(source, root);
    }

    /**
     * Returns a run's record, written as its {@code config.yaml}: the resolved experiment under
     * {@code experiment:} (loadable again) and where it ran under {@code provenance:}.
     */
    public static String runRecord(ExperimentConfig config, Object provenance) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(RUN_RECORD_EXPERIMENT, config);
        record.put(RUN_RECORD_PROVENANCE, provenance);
        return toYaml(record);
    }

    private static boolean isRunRecord(JsonNode tree) {
        return tree.isObject()
                && tree.size() == 2
                && tree.has(RUN_RECORD_EXPERIMENT)
                && tree.has(RUN_RECORD_PROVENANCE);
    }

    /** Returns text as a YAML scalar that reads back as exactly that text, for an override. */
    public static String quoted(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    /** Returns the config as YAML, defaults filled in. */
    public static String toYaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as YAML", e);
        }
    }

    private static ExperimentConfig bind(String source, ObjectNode root) {
        try {
            return YAML.treeToValue(root, ExperimentConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String where = path(e);
            String parent = where.contains(".") ? where.substring(0, where.lastIndexOf('.')) : "";
            throw new ConfigException(
                    source
                            + ": "
                            + unknownField(
                                    e.getPropertyName(),
                                    parent,
                                    e.getKnownPropertyIds().stream().map(Object::toString)),
                    e);
        } catch (ValueInstantiationException e) {
            // Jackson names a field a record lacks only after making the record, so a record that
            // refused its other fields (e.g. one missing because it was misspelled) hides it
            JsonNode given = nodeAt(root, e);
            Class<?> type = e.getType() == null ? null : e.getType().getRawClass();
            if (given != null && given.isObject() && type != null && type.isRecord()) {
                Set<String> known =
                        Arrays.stream(type.getRecordComponents())
                                .map(RecordComponent::getName)
                                .collect(Collectors.toSet());
                for (String field : (Iterable<String>) given::fieldNames) {
                    if (!known.contains(field)) {
                        throw new ConfigException(
                                source + ": " + unknownField(field, path(e), known.stream()), e);
                    }
                }
            }
            Throwable cause = e.getCause();
            while (cause != null && !(cause instanceof ConfigException)) {
                cause = cause.getCause();
            }
            if (cause != null) {
                throw new ConfigException(
                        source + ": " + withinParent(path(e), cause.getMessage()), e);
            }
            throw new ConfigException(source + ": " + path(e) + ": " + e.getOriginalMessage(), e);
        } catch (MismatchedInputException e) {
            // a value of the wrong kind: text for a number, a mapping for a list, ...
            JsonNode given = nodeAt(root, e);
            if (given == null || e.getTargetType() == null) {
                throw new ConfigException(
                        source + ": field '" + path(e) + "': " + e.getOriginalMessage(), e);
            }
            throw new ConfigException(
                    source
                            + ": field '"
                            + path(e)
                            + "' must be "
                            + describe(e.getTargetType())
                            + ", got "
                            + describe(given),
                    e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException config) {
                throw new ConfigException(
                        source + ": " + withinParent(path(e), config.getMessage()), e);
            }
            throw new ConfigException(
                    source + ": field '" + path(e) + "': " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Says that a mapping ({@code parent}, empty at the top) has a field it does not know. */
    private static String unknownField(String field, String parent, Stream<String> allowed) {
        return "unknown field '"
                + field
                + "'"
                + (parent.isEmpty() ? "" : " in " + parent)
                + "; allowed: "
                + allowed.sorted().toList();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class
                || type == Long.class
                || type == int.class
                || type == long.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class || type.isEnum()) {
            return "a text";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of fields";
        }
        return type.getSimpleName();
    }

    /** Says what a YAML value is, for a message about a value of the wrong kind. */
    private static String describe(JsonNode given) {
        if (given.isObject()) {
            return "a mapping";
        }
        if (given.isArray()) {
            return "a list";
        }
        return "'" + given.asText() + "'";
    }

    /** Returns the value an error's path points at in the tree, or null where it leads nowhere. */
    private static JsonNode nodeAt(JsonNode root, JsonMappingException e) {
        JsonNode node = root;
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (node == null) {
                return null;
            }
            node =
                    ref.getFieldName() != null
                            ? node.get(ref.getFieldName())
                            : node.get(ref.getIndex());
        }
        return node;
    }

    /**
     * Prefixes the message of a nested setting's error, which names the setting itself (e.g. {@code
     * privacy needs clip ...}), with where that setting sits when it is not at the top (e.g. {@code
     * algorithms[2].}), so an algorithm's own privacy, attack or codec is told apart from the
     * experiment's.
     */
    private static String withinParent(String path, String message) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? message : path.substring(0, dot + 1) + message;
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * Sets {@code a.b.c=value} in the tree; list items are addressed by index, the value is parsed
     * as YAML.
     */
    static void applyOverride(ObjectNode root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set expects key=value, got '" + override + "'");
        }
        String[] keys = override.substring(0, eq).trim().split("\\.");
        JsonNode value =
                YamlTreeReader.read(
                        "--set " + override,
                        new ByteArrayInputStream(
                                override.substring(eq + 1).getBytes(StandardCharsets.UTF_8)));
        if (value == null || value.isMissingNode()) {
            value = JsonNodeFactory.instance.nullNode();
        }
        JsonNode node = root;
        for (int i = 0; i < keys.length; i++) {
            boolean last = i == keys.length - 1;
            String key = keys[i];
            if (node instanceof ArrayNode array) {
                int index;
                try {
                    index = Integer.parseInt(key);
                } catch (NumberFormatException e) {
                    throw new ConfigException(
                            "--set " + override + ": '" + key + "' must be a list index");
                }
                if (index < 0 || index >= array.size()) {
                    throw new ConfigException(
                            "--set "
                                    + override
                                    + ": index "
                                    + index
                                    + " is outside the list of "
                                    + array.size());
                }
                if (last) {
                    array.set(index, value);
                } else {
                    node = array.get(index);
                }
            } else if (node instanceof ObjectNode object) {
                if (last) {
                    object.set(key, value);
                } else {
                    JsonNode child = object.get(key);
                    if (child == null || child.isNull()) {
                        child = object.putObject(key);
                    }
                    node = child;
                }
            } else {
                throw new ConfigException(
                        "--set " + override + ": '" + keys[i - 1] + "' is a value, not a section");
            }
        }
    }
}
