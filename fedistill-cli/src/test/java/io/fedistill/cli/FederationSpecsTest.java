package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.cli.config.ConfigException;
import io.fedistill.cli.config.ExperimentConfig;
import io.fedistill.cli.config.ExperimentLoader;
import io.fedistill.core.federation.FederationSpec;
import io.fedistill.ml.data.PublicData;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FederationSpecsTest {
    private static final String EXPERIMENT =
            """
            name: spec
            seed: 11
            dataset: {name: fashion-mnist-sample, trainLimit: 3000}
            participants: 3
            publicData: {size: 400, labeled: true}
            models: [mlp, lenet, "cnn:0.5@64"]
            training: {optimizer: adam, learningRate: 0.001, batchSize: 32}
            algorithms:
              - name: fd
                label: fd-scheduled
                options:
                  alpha: {linear: [0.5, 0.1]}
                  temperature: 2
              - name: fedavg
                models: lenet
            """;

    private static ExperimentConfig experiment() {
        return ExperimentLoader.load(
                "spec.yaml",
                new ByteArrayInputStream(EXPERIMENT.getBytes(StandardCharsets.UTF_8)),
                List.of());
    }

    @Test
    void anExperimentsAlgorithmBecomesASpecThatSurvivesJson() {
        ExperimentConfig config = experiment();
        FederationSpec spec = FederationSpecs.of(config, config.algorithms().get(0));
        assertThat(spec.label()).isEqualTo("fd-scheduled");
        assertThat(spec.seed()).isEqualTo(11);
        assertThat(spec.classes()).isEqualTo(10);
        assertThat(spec.inputShape()).containsExactly(1, 28, 28);
        assertThat(spec.models())
                .containsExactly(
                        Map.entry("p00", "mlp:200-200"),
                        Map.entry("p01", "lenet"),
                        Map.entry("p02", "cnn:0.5@64"));
        assertThat(spec.training().optimizer()).isEqualTo("adam");
        assertThat(spec.publicData().orElseThrow().trainLimit()).contains(3000);
        FederationSpec back = FederationSpecs.fromJson(FederationSpecs.toJson(spec));
        assertThat(back).isEqualTo(spec);
        assertThat(FederationSpecs.of(config, config.algorithms().get(1)).models().values())
                .containsOnly("lenet");
    }

    @Test
    void aParticipantDerivesTheCoordinatorsPublicDataFromMergedTrainAndTestImages() {
        ExperimentConfig config =
                ExperimentLoader.load(
                        "spec.yaml",
                        new ByteArrayInputStream(
                                EXPERIMENT
                                        .replace(
                                                "trainLimit: 3000}",
                                                "trainLimit: 3000, testLimit: 500,"
                                                        + " mergeTrainTest: true}")
                                        .getBytes(StandardCharsets.UTF_8)),
                        List.of());
        PublicData coordinators = ExperimentData.prepare(config).publicData().orElseThrow();
        FederationSpec spec =
                FederationSpecs.fromJson(
                        FederationSpecs.toJson(
                                FederationSpecs.of(config, config.algorithms().get(0))));

        PublicData participants =
                ExperimentData.publicDataFor(spec, Optional.empty()).orElseThrow();

        assertThat(participants.pool().size()).isEqualTo(3500);
        assertThat(participants.indices()).containsExactly(coordinators.indices());
        assertThat(participants.pool().labels()).containsExactly(coordinators.pool().labels());
        assertThat(Arrays.stream(participants.indices()).anyMatch(i -> i >= 3000))
                .as("the merged test images can be public")
                .isTrue();
    }

    @Test
    void aSpecThatCannotBeReadIsRefusedByName() {
        ExperimentConfig config = experiment();
        String json =
                FederationSpecs.toJson(FederationSpecs.of(config, config.algorithms().get(0)));
        assertThatThrownBy(
                        () ->
                                FederationSpecs.fromJson(
                                        json.replace("\"version\":2", "\"version\":9")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("version 9 is not supported");
        // a version-1 spec lacks public data's test limit: the version is what is reported
        assertThatThrownBy(
                        () ->
                                FederationSpecs.fromJson(
                                        json.replace("\"version\":2", "\"version\":1")
                                                .replace("\"testLimit\":null,", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "version 1 is not supported (this fedistill reads version 2)");
        assertThatThrownBy(() -> FederationSpecs.fromJson(json.replace("\"codec\"", "\"codecs\"")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("field 'codec' is missing");
        assertThatThrownBy(
                        () ->
                                FederationSpecs.fromJson(
                                        json.replace("{\"version\"", "{\"extra\":1,\"version\"")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown field 'extra'");
        assertThatThrownBy(() -> FederationSpecs.fromJson("seed: 1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot be read");
    }
}
