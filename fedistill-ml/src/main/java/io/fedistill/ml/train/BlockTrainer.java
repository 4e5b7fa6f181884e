package io.fedistill.ml.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.LocalParameterServer;
import ai.djl.training.ParameterStore;
import io.fedistill.core.tensor.TensorRecord;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A small network the coordinator trains itself, outside the model zoo (FedTGP's trainable
 * prototypes; a generator): a DJL block initialized from a seed, with its own optimizer and
 * optimizer state, stepped on a loss the caller builds from the block's forward pass. Not
 * thread-safe; close it to free its native memory.
 */
public final class BlockTrainer implements AutoCloseable {
    /**
     * One training step's view of the block.
     *
     * <p>Arrays the loss builds belong to {@link #manager()} and are freed after the step.
     */
    public interface Step {
        /** Returns the step's manager, for the inputs and constants of the loss. */
        NDManager manager();

        /** Runs the block in training mode on an input. */
        NDArray forward(NDArray input);
    }

    private final String name;
    private final Model model;
    private final Block block;
    private final OwnedStateOptimizer optimizer;
    private final LocalParameterServer parameterServer;
    private boolean gradientsLeftByOthers;

    private BlockTrainer(String name, Model model, Block block, TrainingSettings settings) {
        this.name = name;
        this.model = model;
        this.block = block;
        this.optimizer = OwnedStateOptimizer.of(settings);
        this.parameterServer = new LocalParameterServer(optimizer);
    }

    /**
     * Builds the trainer.
     *
     * @param name what the block is, for error messages
     * @param block the uninitialized block
     * @param inputShape the shape of one batch of input, for initialization
     * @param settings the optimizer and learning rate (the other fields are not read)
     * @param seed the seed of the initial weights
     */
    public static BlockTrainer create(
            String name, Block block, Shape inputShape, TrainingSettings settings, long seed) {
        Model model = Model.newInstance(name);
        try {
            model.setBlock(block);
            NetworkPool.initialize(block, model.getNDManager(), inputShape, OptionalLong.of(seed));
            return new BlockTrainer(name, model, block, settings);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Runs one optimizer step on the loss {@code loss} builds, with the engine's randomness seeded;
     * returns the loss's value.
     */
    public float step(Function<Step, NDArray> loss, long seed) {
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        try (NDManager manager = model.getNDManager().newSubManager()) {
            ParameterStore store = new ParameterStore(manager, false);
            store.setParameterServer(parameterServer, new Device[] {manager.getDevice()});
            Step step =
                    new Step() {
                        @Override
                        public NDManager manager() {
                            return manager;
                        }

                        @Override
                        public NDArray forward(NDArray input) {
                            return block.forward(store, new NDList(input), true).singletonOrThrow();
                        }
                    };
            float value;
            if (gradientsLeftByOthers) {
                clearGradients(manager);
                gradientsLeftByOthers = false;
            }
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray result = loss.apply(step);
                collector.backward(result);
                value = result.getFloat();
            }
            store.updateAllParameters();
            return value;
        }
    }

    /**
     * Zeroes what earlier backward passes left in this block's gradients. The engine adds every
     * backward pass into them and the optimizer's update clears only what it applied, so without
     * this the gradient of another trainer's step through {@link #forwardWithoutUpdate} (a GAN's
     * generator step, which aims the opposite way) would be applied with this trainer's next step;
     * it runs only after such a pass.
     */
    private void clearGradients(NDManager manager) {
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                NDArray gradient = parameter.getArray().getGradient();
                gradient.attach(manager); // a second handle on the gradient, closed with the step
                gradient.subi(gradient);
            }
        }
    }

    /**
     * Runs the block in training mode inside another trainer's step, without updating it: the
     * gradient reaches the input (a GAN's generator step through its discriminator); what reaches
     * this block's parameters is cleared before its own next step.
     */
    public NDArray forwardWithoutUpdate(NDManager manager, NDArray input) {
        gradientsLeftByOthers = true;
        return block.forward(new ParameterStore(manager, false), new NDList(input), true)
                .singletonOrThrow();
    }

    /** Runs the block in evaluation mode on the input {@code input} builds; returns the output. */
    public float[] infer(Function<NDManager, NDArray> input) {
        try (NDManager manager = model.getNDManager().newSubManager()) {
            return block.forward(
                            new ParameterStore(manager, false),
                            new NDList(input.apply(manager)),
                            false)
                    .singletonOrThrow()
                    .toFloatArray();
        }
    }

    /** Returns every parameter as named tensors. */
    public TensorRecord weights() {
        return NetworkPool.readWeights(block);
    }

    /**
     * Replaces every parameter with the named tensors.
     *
     * @throws IllegalArgumentException naming a missing, extra or wrongly shaped tensor
     */
    public void loadWeights(TensorRecord weights) {
        NetworkPool.writeWeights(block, weights, name);
    }

    @Override
    public void close() {
        try {
            optimizer.close();
        } finally {
            model.close();
        }
    }
}
