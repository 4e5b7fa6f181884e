package io.fedistill.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.ml.model.Architecture;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentLoaderTest {
    private static final String VALID =
            """
            name: t
            participants: 4
            models: [mlp, lenet]
            partition: {kind: dirichlet, alpha: 0.5}
            algorithms:
              - name: fd
              - name: fedavg
                models: lenet
            """;

    private static ExperimentConfig load(String yaml, String... overrides) {
        return ExperimentLoader.load(
                "test.yaml",
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                List.of(overrides));
    }

    @Test
    void loadsDefaultsAndModelAssignments() {
        ExperimentConfig config = load(VALID);
        assertThat(config.rounds()).isEqualTo(10);
        assertThat(config.participantIds()).containsExactly("p00", "p01", "p02", "p03");
        assertThat(config.modelsFor(config.algorithms().get(0)).values())
                .extracting(s -> s.architecture())
                .containsExactly(
                        Architecture.MLP, Architecture.LENET, Architecture.MLP, Architecture.LENET);
        assertThat(config.modelsFor(config.algorithms().get(1)).values())
                .extracting(Object::toString)
                .containsOnly("lenet");
        ExperimentConfig blocks = load(VALID, "models={blocks: [mlp, cnn]}");
        assertThat(blocks.modelsFor(blocks.algorithms().get(0)).values())
                .extracting(Object::toString)
                .containsExactly("mlp:200-200", "mlp:200-200", "cnn", "cnn");
        ExperimentConfig mapping = load(VALID, "models={mapping: {p01: cnn}, default: lenet}");
        assertThat(mapping.modelsFor(mapping.algorithms().get(0)).values())
                .extracting(Object::toString)
                .containsExactly("lenet", "cnn", "lenet", "lenet");
    }

    @Test
    void overridesReachNestedFieldsAndListItems() {
        ExperimentConfig config =
                load(
                        VALID,
                        "rounds=3",
                        "training.learningRate=0.01",
                        "training.gradientClipNorm=5",
                        "algorithms.0.options.alpha=0.2");
        assertThat(config.rounds()).isEqualTo(3);
        assertThat(config.training().learningRate()).isEqualTo(0.01);
        assertThat(config.training().settings().gradientClipNorm()).isEqualTo(5f);
        assertThat(config.algorithms().get(0).options()).containsEntry("alpha", 0.2);
    }

    @Test
    void badInputNamesTheFieldAndTheAllowedValues() {
        assertThatThrownBy(() -> load("name: [unclosed"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.name=fedsomething"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown algorithm 'fedsomething'")
                .hasMessageContaining(
                        "[local-only, fedavg, fedprox, fd, fedmd, dsfl, feddf, global-student]");
        assertThatThrownBy(() -> load(VALID, "models=[mlp, vgg]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models[1]: unknown model 'vgg'");
        assertThatThrownBy(() -> load(VALID, "training.learnignRate=0.1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown field 'learnignRate' in training")
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> load(VALID, "training.gradientClipNorm=-1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("training: gradient clip norm must be >= 0")
                .hasMessageContaining("got -1.0");
        assertThatThrownBy(() -> load(VALID, "rounds=-3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rounds must be > 0, got -3");
        assertThatThrownBy(() -> load(VALID, "rounds=many"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rounds");
        assertThatThrownBy(() -> load(VALID, "partition.kind=zipf"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "partition.kind: unknown partitioner 'zipf'; allowed: [iid, dirichlet, shards, quantity]");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.options.temprature=2"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "unknown option(s) [temprature]; allowed: [alpha, temperature, featureRounds, featureWeight, weighting]");
        assertThatThrownBy(() -> load(VALID, "dataset.name=cifar"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown dataset 'cifar'");
        assertThatThrownBy(() -> load(VALID, "rounds"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--set expects key=value");
    }
}
