package io.fedistill.ml.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.ml.model.ClassifierNetwork;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Built and initialized networks kept per architecture, so that a model session borrows one and
 * loads its weights into it instead of building, initializing and discarding a network per
 * participant call (the fixed cost that dominated rounds of many small participants).
 *
 * <p>A borrowed network is used by one session at a time. The next session loads all of its
 * parameters (weights and normalization statistics) and every training step starts from zeroed
 * gradients, so nothing a session leaves behind reaches a result. The seeded initial weights of an
 * architecture are computed once per seed and kept. The pool keeps its networks (parameters and
 * gradient buffers) for the life of the process, at most {@link #MAX_IDLE_PER_KEY} idle per
 * architecture.
 */
final class NetworkPool {
    /** Idle networks kept per architecture; more are closed when returned. */
    private static final int MAX_IDLE_PER_KEY = 2 * Runtime.getRuntime().availableProcessors();

    /** Initial-weight records kept (one per architecture, input shape, class count and seed). */
    private static final int MAX_INITIAL_WEIGHTS = 32;

    private static final NetworkPool SHARED = new NetworkPool();

    /**
     * Held while a network is initialized: initialization draws from the engine's one global random
     * generator, which a seeded initialization also reseeds.
     */
    private static final Object ENGINE_RANDOMNESS = new Object();

    private final Map<Key, Deque<Pooled>> idle = new ConcurrentHashMap<>();
    private final Map<InitKey, TensorRecord> initialWeights =
            Collections.synchronizedMap(
                    new LinkedHashMap<>(16, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<InitKey, TensorRecord> e) {
                            return size() > MAX_INITIAL_WEIGHTS;
                        }
                    });

    private NetworkPool() {}

    /** Returns the pool of this process. */
    static NetworkPool shared() {
        return SHARED;
    }

    /** The architecture a network was built for. */
    record Key(ModelSpec spec, Shape imageShape, int numClasses) {}

    private record InitKey(Key key, long seed) {}

    /** A built, initialized network and the model that owns its parameters. */
    record Pooled(Key key, Model model, ClassifierNetwork network) {}

    /** Takes an idle network of the architecture, or builds and initializes a new one. */
    Pooled borrow(Key key) {
        Deque<Pooled> free = idle.get(key);
        Pooled pooled = free == null ? null : free.pollFirst();
        return pooled != null ? pooled : build(key, OptionalLong.empty());
    }

    /** Gives a network back for the next session, or closes it when enough are idle. */
    void giveBack(Pooled pooled) {
        Deque<Pooled> free = idle.computeIfAbsent(pooled.key(), k -> new ConcurrentLinkedDeque<>());
        if (free.size() >= MAX_IDLE_PER_KEY) {
            pooled.model().close();
        } else {
            free.addFirst(pooled);
        }
    }

    /**
     * Returns every parameter of the architecture as initialized from the seed: what every
     * participant of that architecture starts from.
     */
    TensorRecord initialWeights(Key key, long seed) {
        InitKey initKey = new InitKey(key, seed);
        TensorRecord cached = initialWeights.get(initKey);
        if (cached != null) {
            return cached;
        }
        Pooled fresh = build(key, OptionalLong.of(seed));
        try {
            TensorRecord weights = readWeights(fresh.network());
            initialWeights.put(initKey, weights);
            return weights;
        } finally {
            giveBack(fresh);
        }
    }

    /**
     * Builds and initializes a network: from the seed when given (its weights are what every
     * participant of the architecture starts from), else from whatever the generator holds (a
     * pooled network, whose weights every session replaces).
     */
    private static Pooled build(Key key, OptionalLong seed) {
        ClassifierNetwork network = ModelZoo.build(key.spec(), key.imageShape(), key.numClasses());
        Model model = Model.newInstance("participant");
        try {
            model.setBlock(network.network());
            initialize(
                    network.network(),
                    model.getNDManager(),
                    new Shape(1).addAll(key.imageShape()),
                    seed);
            return new Pooled(key, model, network);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Initializes a block's parameters for an input shape: from the seed when given (the engine's
     * generator is seeded and drawn from under one lock, so concurrent initializations do not mix
     * their draws), else from whatever the generator holds.
     */
    static void initialize(Block block, NDManager manager, Shape inputShape, OptionalLong seed) {
        synchronized (ENGINE_RANDOMNESS) {
            seed.ifPresent(s -> Engine.getInstance().setRandomSeed((int) (s ^ (s >>> 32))));
            block.initialize(manager, DataType.FLOAT32, inputShape);
        }
    }

    /**
     * Returns every parameter (trainable weights and normalization statistics) as tensors of the
     * role {@link TensorRole#WEIGHTS}.
     */
    static TensorRecord readWeights(ClassifierNetwork network) {
        return readWeights(network.network());
    }

    /** Returns every parameter of a block as {@link #readWeights(ClassifierNetwork)} does. */
    static TensorRecord readWeights(Block block) {
        TensorRecord.Builder out = TensorRecord.builder();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            out.put(
                    p.getKey(),
                    Tensor.wrap(intShape(array.getShape()), array.toFloatArray()),
                    TensorRole.WEIGHTS);
        }
        return out.build();
    }

    /**
     * Replaces every parameter of a block with the named tensors.
     *
     * @param owner what the block is, for the error messages
     * @throws IllegalArgumentException naming a missing, extra or wrongly shaped tensor
     */
    static void writeWeights(Block block, TensorRecord weights, String owner) {
        List<Pair<String, Parameter>> params = new ArrayList<>();
        block.getParameters().forEach(params::add);
        writeWeights(params, weights, owner);
    }

    /**
     * Replaces the named parameters with the tensors of the same names.
     *
     * @param owner what the parameters belong to, for the error messages
     * @throws IllegalArgumentException naming a missing, extra or wrongly shaped tensor
     */
    static void writeWeights(
            List<Pair<String, Parameter>> params, TensorRecord weights, String owner) {
        if (params.size() != weights.size()) {
            throw new IllegalArgumentException(
                    "weights hold "
                            + weights.size()
                            + " tensors, "
                            + owner
                            + " has "
                            + params.size()
                            + " parameters");
        }
        for (Pair<String, Parameter> p : params) {
            Tensor tensor =
                    weights.find(p.getKey())
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "weights lack parameter '"
                                                            + p.getKey()
                                                            + "' of "
                                                            + owner));
            NDArray array = p.getValue().getArray();
            if (!tensor.hasShape(intShape(array.getShape()))) {
                throw new IllegalArgumentException(
                        "parameter '"
                                + p.getKey()
                                + "' has shape "
                                + array.getShape()
                                + ", weights give "
                                + Arrays.toString(tensor.shape()));
            }
            array.set(tensor.toFloatArray());
        }
    }

    static int[] intShape(Shape shape) {
        return Arrays.stream(shape.getShape()).mapToInt(Math::toIntExact).toArray();
    }
}
