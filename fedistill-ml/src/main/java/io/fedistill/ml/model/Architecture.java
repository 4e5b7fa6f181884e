package io.fedistill.ml.model;

/** The architectures of the model zoo, with the option each takes after a colon. */
public enum Architecture {
    /** Multilayer perceptron; option: hidden widths joined by '-', default 200-200. */
    MLP("mlp", "multilayer perceptron; mlp:256-128 sets hidden widths (default 200-200)"),
    /** LeNet-5 with ReLU and max pooling, the variant federated learning papers use. */
    LENET("lenet", "LeNet-5 with ReLU and max pooling (~61k parameters on 28x28)"),
    /** The FedAvg paper's CNN; option: width multiplier. */
    CNN("cnn", "FedAvg paper CNN: 2 conv (32, 64) + fc 512; cnn:0.5 scales the widths"),
    /**
     * The small CNN of FedGen's MNIST experiments (Zhu et al. 2021): two strided 3x3 convolutions
     * (6 and 16 channels) with batch normalization, then a 32-wide linear feature layer.
     */
    FEDGEN_CNN(
            "fedgen-cnn",
            "FedGen's MNIST CNN: 2 strided 3x3 conv (6, 16) with batch norm + fc 32 (~27k"
                    + " parameters)"),
    /** ResNet v1 from DJL's model zoo; option: 20 or 50 layers. */
    RESNET("resnet", "ResNet v1 from DJL's zoo; resnet:20 (default) or resnet:50"),
    /** MobileNetV2 in the layout of DJL's model zoo version. */
    MOBILENETV2("mobilenetv2", "MobileNetV2 (DJL zoo layout, ~2.2M parameters)");

    private final String configName;
    private final String description;

    Architecture(String configName, String description) {
        this.configName = configName;
        this.description = description;
    }

    /** Returns the name used in configs. */
    public String configName() {
        return configName;
    }

    /** Returns a one-line description. */
    public String description() {
        return description;
    }
}
