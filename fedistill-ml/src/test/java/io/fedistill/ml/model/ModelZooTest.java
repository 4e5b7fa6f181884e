package io.fedistill.ml.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelZooTest {
    private static final Shape MNIST = new Shape(1, 28, 28);

    @Test
    void parameterCountsMatchTheArchitectures() {
        // 784*200+200 + 200*200+200 + 200*10+10
        assertThat(ModelZoo.parameterCount(ModelSpec.parse("mlp"), MNIST, 10)).isEqualTo(199_210);
        // conv 6*25+6, conv 16*6*25+16, fc 400*120+120, 120*84+84, 84*10+10
        assertThat(ModelZoo.parameterCount(ModelSpec.parse("lenet"), MNIST, 10)).isEqualTo(61_706);
        // conv 32*25+32, conv 64*32*25+64, fc 1024*512+512, 512*10+10
        assertThat(ModelZoo.parameterCount(ModelSpec.parse("cnn"), MNIST, 10)).isEqualTo(582_026);
        // FedGen's: 60 + 12 (batch norm) + 880 + 32 + 25,120 (784 -> 32) + 330 (head)
        assertThat(ModelZoo.parameterCount(ModelSpec.parse("fedgen-cnn"), MNIST, 10))
                .isEqualTo(26_434);
        assertThat(ModelZoo.parameterCount(ModelSpec.parse("resnet:20"), MNIST, 10))
                .isBetween(250_000L, 300_000L);
    }

    @Test
    void everyArchitectureSplitsIntoFeaturesAndHead() {
        for (String name :
                new String[] {
                    "mlp:32", "lenet", "cnn:0.25", "fedgen-cnn", "resnet:20", "mobilenetv2"
                }) {
            ClassifierNetwork net = ModelZoo.build(ModelSpec.parse(name), MNIST, 10);
            try (NDManager m = NDManager.newBaseManager()) {
                net.network().initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
                ParameterStore store = new ParameterStore(m, false);
                NDArray x = m.randomUniform(0, 1, new Shape(2, 1, 28, 28));
                NDArray features =
                        net.features().forward(store, new NDList(x), false).singletonOrThrow();
                NDArray logits =
                        net.head().forward(store, new NDList(features), false).singletonOrThrow();
                assertThat(logits.getShape()).as(name).isEqualTo(new Shape(2, 10));
                assertThat(net.head().getParameters().isEmpty()).as(name).isFalse();
                NDArray whole =
                        net.network().forward(store, new NDList(x), false).singletonOrThrow();
                assertThat(whole.toFloatArray()).as(name).containsExactly(logits.toFloatArray());
            }
        }
    }

    @Test
    void featureWidthsOfTheSmallArchitectures() {
        assertThat(ModelZoo.featureWidth(ModelSpec.parse("mlp:64"), MNIST, 10)).isEqualTo(64);
        assertThat(ModelZoo.featureWidth(ModelSpec.parse("lenet"), MNIST, 10)).isEqualTo(84);
        assertThat(ModelZoo.featureWidth(ModelSpec.parse("cnn:0.5"), MNIST, 10)).isEqualTo(256);
        assertThat(ModelZoo.featureWidth(ModelSpec.parse("fedgen-cnn"), MNIST, 10)).isEqualTo(32);
    }

    @Test
    void aProjectionGivesEveryArchitectureTheSameFeatureWidth() {
        for (String name : List.of("mlp:64@48", "lenet@48", "cnn:0.25@48", "resnet:20@48")) {
            assertThat(ModelZoo.featureWidth(ModelSpec.parse(name), MNIST, 10))
                    .as(name)
                    .isEqualTo(48);
        }
        // LeNet's 84 features -> 48 (84 * 48 + 48) and a 48 -> 10 head instead of 84 -> 10
        assertThat(ModelZoo.parameterCount(ModelSpec.parse("lenet@48"), MNIST, 10))
                .isEqualTo(61_706 - (84 * 10 + 10) + (84 * 48 + 48) + (48 * 10 + 10));
        ModelSpec projected = ModelSpec.parse("cnn:0.5@64");
        assertThat(projected.featureProjection()).isEqualTo(64);
        assertThat(projected.toString()).isEqualTo("cnn:0.5@64");
        assertThat(ModelSpec.parse(projected.toString())).isEqualTo(projected);
        assertThat(projected).isNotEqualTo(ModelSpec.parse("cnn:0.5"));
        assertThatThrownBy(() -> ModelSpec.parse("lenet@"))
                .hasMessageContaining("malformed feature width ''");
        assertThatThrownBy(() -> ModelSpec.parse("lenet@0"))
                .hasMessageContaining("malformed feature width '0'");
    }

    @Test
    void parsesOptionsAndRefusesUnknownNames() {
        assertThat(ModelSpec.parse("mlp:256-128").hiddenWidths()).containsExactly(256, 128);
        assertThat(ModelSpec.parse("cnn:0.5").widthMultiplier()).isEqualTo(0.5);
        assertThat(ModelSpec.parse("resnet:50").layers()).isEqualTo(50);
        assertThat(ModelSpec.parse("mlp:256-128").toString()).isEqualTo("mlp:256-128");
        assertThatThrownBy(() -> ModelSpec.parse("vgg"))
                .hasMessageContaining("unknown model 'vgg'")
                .hasMessageContaining("[mlp, lenet, cnn, fedgen-cnn, resnet, mobilenetv2]");
        assertThatThrownBy(() -> ModelSpec.parse("resnet:18"))
                .hasMessageContaining("resnet layers must be 20 or 50, got 18");
        assertThatThrownBy(() -> ModelSpec.parse("mlp:abc"))
                .hasMessageContaining("malformed option 'abc'");
    }
}
