package io.fedistill.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.fedistill.cli.config.AlgorithmConfig;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.core.federation.FederationSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link FederationSpec} of one algorithm of an experiment (without loading any data)
 * and writes and reads it as the JSON the network runtime's welcome carries.
 */
final class FederationSpecs {
    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .addModule(new Jdk8Module())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    private FederationSpecs() {}

    /** Returns the spec of one of the experiment's algorithms. */
    static FederationSpec of(ExperimentConfig config, AlgorithmConfig algorithm) {
        Map<String, String> models = new LinkedHashMap<>();
        config.modelsFor(algorithm).forEach((id, spec) -> models.put(id, spec.toString()));
        Optional<FederationSpec.PublicDataRef> publicData =
                config.publicData() == null
                        ? Optional.empty()
                        : Optional.of(
                                new FederationSpec.PublicDataRef(
                                        config.dataset().name(),
                                        Optional.ofNullable(config.dataset().trainLimit()),
                                        Optional.ofNullable(config.dataset().testLimit()),
                                        config.dataset().mergeTrainTest(),
                                        config.publicData().size(),
                                        config.publicData().labeled(),
                                        config.dataset().download(),
                                        config.dataset().verifyChecksums()));
        return new FederationSpec(
                FederationSpec.VERSION,
                algorithm.name(),
                algorithm.label(),
                algorithm.options(),
                config.seed(),
                config.codecFor(algorithm),
                config.dataset().classes(),
                config.dataset().inputShape(),
                models,
                config.training().spec(),
                config.threads(),
                publicData);
    }

    /** Writes a spec as JSON. */
    static String toJson(FederationSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("federation spec cannot be written: " + e, e);
        }
    }

    /**
     * Reads a spec from JSON.
     *
     * @throws ConfigException naming what is missing, unknown or out of range
     */
    static FederationSpec fromJson(String json) {
        try {
            // the version first: another version's fields would otherwise be reported instead
            JsonNode version = JSON.readTree(json).get("version");
            if (version != null
                    && version.isInt()
                    && version.intValue() != FederationSpec.VERSION) {
                throw refused(
                        "version "
                                + version.intValue()
                                + " is not supported (this fedistill reads version "
                                + FederationSpec.VERSION
                                + ")",
                        null);
            }
            return JSON.readValue(json, FederationSpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw refused("unknown field '" + e.getPropertyName() + "'", e);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            throw refused(cause != null ? cause.getMessage() : e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            Matcher missing = MISSING.matcher(e.getOriginalMessage());
            throw refused(
                    missing.find()
                            ? "field '" + missing.group(1) + "' is missing"
                            : e.getOriginalMessage(),
                    e);
        }
    }

    private static final Pattern MISSING = Pattern.compile("Missing creator property '([^']+)'");

    private static ConfigException refused(String reason, Exception e) {
        return new ConfigException(
                "the coordinator's federation spec cannot be read: " + reason, e);
    }
}
