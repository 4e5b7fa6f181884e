package io.fedistill.ml.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * MobileNetV2 (Sandler et al. 2018) in the layout of DJL's model zoo version, for small images: a
 * strided 1x1 stem, seven stages of inverted residual bottlenecks, a 1x1 conv to 1280 channels,
 * global average pooling and a 1x1 conv classifier.
 *
 * <p>It is built here rather than taken from DJL because DJL's {@code Activation.relu6} clips
 * against a number wrapped in a tensor that borrows a Java buffer, and the autograd graph keeps
 * that tensor after its buffer may be collected: a garbage collection between the forward and the
 * backward pass corrupts the gradient. This ReLU6 clips against a tensor the engine owns.
 */
final class MobileNetV2 {
    /** Expansion t, output channels c, repeats n and first stride s of each bottleneck stage. */
    private static final List<Stage> STAGES =
            List.of(
                    new Stage(1, 16, 1, 1),
                    new Stage(6, 24, 2, 2),
                    new Stage(6, 32, 3, 2),
                    new Stage(6, 64, 4, 2),
                    new Stage(6, 96, 3, 1),
                    new Stage(6, 160, 3, 2),
                    new Stage(6, 320, 1, 1));

    private static final int STEM_CHANNELS = 32;
    private static final int LAST_CHANNELS = 1280;
    private static final float BATCH_NORM_MOMENTUM = 0.9f;
    private static final float BATCH_NORM_EPSILON = 2e-5f;

    private record Stage(int expansion, int channels, int repeats, int stride) {}

    private MobileNetV2() {}

    /** Builds the network; its last block holding parameters is the classifier. */
    static SequentialBlock build(int numClasses) {
        SequentialBlock network = new SequentialBlock().add(convUnit(STEM_CHANNELS, 1, 2, 1));
        int channels = STEM_CHANNELS;
        for (Stage stage : STAGES) {
            for (int i = 0; i < stage.repeats(); i++) {
                network.add(
                        bottleneck(
                                channels,
                                stage.channels(),
                                i == 0 ? stage.stride() : 1,
                                stage.expansion()));
                channels = stage.channels();
            }
        }
        return network.add(convUnit(LAST_CHANNELS, 1, 1, 1))
                .add(Pool.globalAvgPool2dBlock())
                .addSingleton(x -> x.reshape(x.getShape().get(0), LAST_CHANNELS, 1, 1))
                .add(
                        Conv2d.builder()
                                .setFilters(numClasses)
                                .setKernelShape(new Shape(1, 1))
                                .build()) // classifier
                .addSingleton(x -> x.reshape(x.getShape().get(0), numClasses));
    }

    /** An inverted residual: expand with 1x1, filter depthwise 3x3, project linearly with 1x1. */
    private static Block bottleneck(int in, int out, int stride, int expansion) {
        int hidden = in * expansion;
        SequentialBlock residual =
                new SequentialBlock()
                        .add(convUnit(hidden, 1, 1, 1))
                        .add(convUnit(hidden, 3, stride, hidden))
                        .add(conv(out, 1, 1, 1))
                        .add(batchNorm());
        if (stride != 1 || in != out) {
            return residual;
        }
        return new ParallelBlock(
                branches ->
                        new NDList(
                                NDArrays.add(
                                        branches.get(0).singletonOrThrow(),
                                        branches.get(1).singletonOrThrow())),
                List.of(residual, Blocks.identityBlock()));
    }

    /** Convolution, batch normalization, ReLU6. */
    private static Block convUnit(int filters, int kernel, int stride, int groups) {
        return new SequentialBlock()
                .add(conv(filters, kernel, stride, groups))
                .add(batchNorm())
                .add(relu6());
    }

    private static Block conv(int filters, int kernel, int stride, int groups) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optGroups(groups)
                .optBias(false)
                .build();
    }

    private static Block batchNorm() {
        return BatchNorm.builder()
                .optEpsilon(BATCH_NORM_EPSILON)
                .optMomentum(BATCH_NORM_MOMENTUM)
                .build();
    }

    private static Block relu6() {
        return new LambdaBlock(
                inputs -> {
                    NDArray rectified = Activation.relu(inputs.singletonOrThrow());
                    NDArray six =
                            rectified.getManager().full(new Shape(), 6f, rectified.getDataType());
                    return new NDList(rectified.minimum(six));
                },
                "ReLU6");
    }
}
