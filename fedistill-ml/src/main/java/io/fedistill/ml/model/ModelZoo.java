package io.fedistill.ml.model;

import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Builds the named architectures as DJL blocks for any image shape and class count. */
public final class ModelZoo {
    /** Feature widths already computed, by spec, image shape and class count. */
    private static final Map<String, Long> FEATURE_WIDTHS = new ConcurrentHashMap<>();

    private ModelZoo() {}

    /**
     * Builds an uninitialized network.
     *
     * @param spec the architecture and its option
     * @param imageShape (channels, height, width) of one input
     * @param numClasses number of output logits
     * @return the network with its feature extractor and head
     */
    public static ClassifierNetwork build(ModelSpec spec, Shape imageShape, int numClasses) {
        if (imageShape.dimension() != 3) {
            throw new IllegalArgumentException(
                    "image shape must be (channels, height, width), got " + imageShape);
        }
        switch (spec.architecture()) {
            case MLP:
                return mlp(spec, numClasses);
            case LENET:
                return lenet(spec, numClasses);
            case CNN:
                return cnn(spec, numClasses);
            case FEDGEN_CNN:
                return fedGenCnn(spec, numClasses);
            case RESNET:
                return splitAtHead(
                        spec,
                        ResNetV1.builder()
                                .setImageShape(imageShape)
                                .setNumLayers(spec.layers())
                                .setOutSize(numClasses)
                                .build());
            case MOBILENETV2:
                return splitAtHead(spec, MobileNetV2.build(numClasses));
            default:
                throw new IllegalArgumentException("no builder for " + spec);
        }
    }

    /** Returns the number of trainable and state parameters of a built network. */
    public static long parameterCount(ModelSpec spec, Shape imageShape, int numClasses) {
        ClassifierNetwork net = build(spec, imageShape, numClasses);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.network().initialize(manager, DataType.FLOAT32, new Shape(1).addAll(imageShape));
            long count = 0;
            for (Pair<String, ai.djl.nn.Parameter> p : net.network().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    count += p.getValue().getArray().size();
                }
            }
            return count;
        }
    }

    /**
     * Returns the shapes of the classifier head's parameters, in order: architectures whose heads
     * have the same shapes can share them (LG-FedAvg).
     */
    public static List<List<Long>> headShapes(ModelSpec spec, Shape imageShape, int numClasses) {
        ClassifierNetwork net = build(spec, imageShape, numClasses);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.network().initialize(manager, DataType.FLOAT32, new Shape(1).addAll(imageShape));
            List<List<Long>> shapes = new ArrayList<>();
            for (Pair<String, ai.djl.nn.Parameter> p : net.head().getParameters()) {
                shapes.add(
                        java.util.Arrays.stream(p.getValue().getArray().getShape().getShape())
                                .boxed()
                                .toList());
            }
            return shapes;
        }
    }

    /**
     * Returns the width of the flattened features the network's feature extractor produces, built
     * once per spec, image shape and class count (checks at start-up and strategies ask again).
     */
    public static long featureWidth(ModelSpec spec, Shape imageShape, int numClasses) {
        return FEATURE_WIDTHS.computeIfAbsent(
                spec + " " + imageShape + " " + numClasses,
                key -> {
                    ClassifierNetwork net = build(spec, imageShape, numClasses);
                    try (NDManager manager = NDManager.newBaseManager()) {
                        Shape input = new Shape(1).addAll(imageShape);
                        net.network().initialize(manager, DataType.FLOAT32, input);
                        return net.features().getOutputShapes(new Shape[] {input})[0].size();
                    }
                });
    }

    private static ClassifierNetwork assemble(ModelSpec spec, Block features, Block head) {
        Block projected =
                spec.featureProjection() == 0
                        ? features
                        : new SequentialBlock()
                                .add(features)
                                .add(Blocks.batchFlattenBlock())
                                .add(Linear.builder().setUnits(spec.featureProjection()).build());
        SequentialBlock network = new SequentialBlock().add(projected).add(head);
        return new ClassifierNetwork(spec, projected, head, network);
    }

    private static ClassifierNetwork mlp(ModelSpec spec, int numClasses) {
        SequentialBlock features = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int width : spec.hiddenWidths()) {
            features.add(Linear.builder().setUnits(width).build()).add(Activation.reluBlock());
        }
        return assemble(spec, features, Linear.builder().setUnits(numClasses).build());
    }

    private static ClassifierNetwork lenet(ModelSpec spec, int numClasses) {
        SequentialBlock features =
                new SequentialBlock()
                        .add(conv(6, 2))
                        .add(Activation.reluBlock())
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(conv(16, 0))
                        .add(Activation.reluBlock())
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(120).build())
                        .add(Activation.reluBlock())
                        .add(Linear.builder().setUnits(84).build())
                        .add(Activation.reluBlock());
        return assemble(spec, features, Linear.builder().setUnits(numClasses).build());
    }

    private static ClassifierNetwork cnn(ModelSpec spec, int numClasses) {
        int first = Math.max(1, (int) Math.round(32 * spec.widthMultiplier()));
        int second = Math.max(1, (int) Math.round(64 * spec.widthMultiplier()));
        int hidden = Math.max(1, (int) Math.round(512 * spec.widthMultiplier()));
        SequentialBlock features =
                new SequentialBlock()
                        .add(conv(first, 0))
                        .add(Activation.reluBlock())
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(conv(second, 0))
                        .add(Activation.reluBlock())
                        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                        .add(Blocks.batchFlattenBlock())
                        .add(Linear.builder().setUnits(hidden).build())
                        .add(Activation.reluBlock());
        return assemble(spec, features, Linear.builder().setUnits(numClasses).build());
    }

    private static ClassifierNetwork fedGenCnn(ModelSpec spec, int numClasses) {
        SequentialBlock features = new SequentialBlock();
        for (int filters : new int[] {6, 16}) {
            features.add(
                            Conv2d.builder()
                                    .setKernelShape(new Shape(3, 3))
                                    .setFilters(filters)
                                    .optStride(new Shape(2, 2))
                                    .optPadding(new Shape(1, 1))
                                    .build())
                    .add(BatchNorm.builder().build())
                    .add(Activation.reluBlock());
        }
        // the representation FedGen's generator imitates: linear, 32 wide
        features.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(32).build());
        return assemble(spec, features, Linear.builder().setUnits(numClasses).build());
    }

    private static Block conv(int filters, int padding) {
        return Conv2d.builder()
                .setKernelShape(new Shape(5, 5))
                .setFilters(filters)
                .optPadding(new Shape(padding, padding))
                .build();
    }

    /**
     * Splits a zoo network before its last block that holds parameters: that block onward is the
     * head.
     */
    private static ClassifierNetwork splitAtHead(ModelSpec spec, SequentialBlock zooNetwork) {
        List<Block> children = zooNetwork.getChildren().values();
        int headStart = -1;
        for (int i = children.size() - 1; i >= 0; i--) {
            if (!children.get(i).getParameters().isEmpty()) {
                headStart = i;
                break;
            }
        }
        if (headStart <= 0) {
            throw new IllegalStateException(spec + " has no separable classifier head");
        }
        SequentialBlock features = new SequentialBlock().addAll(children.subList(0, headStart));
        SequentialBlock head =
                new SequentialBlock().addAll(children.subList(headStart, children.size()));
        return assemble(spec, features, head);
    }
}
