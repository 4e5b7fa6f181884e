package io.fedistill.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum or Adam for one model session, whose per-parameter state (the momentum, Adam's
 * two moments) is owned here and freed by {@link #close()}.
 *
 * <p>DJL's {@code Sgd} and {@code Adam} detach that state from every manager and never free it, so
 * each trainer built on them leaks one model's worth of native memory (0.8 MB per participant call
 * for a 200-200 MLP). This optimizer calls the same engine update operators with the same
 * arguments, so a step changes the weights exactly as DJL's optimizers do.
 */
final class OwnedStateOptimizer extends Optimizer implements AutoCloseable {
    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.999f;
    private static final float ADAM_EPSILON = 1e-8f;

    private final TrainingSettings settings;
    private final Map<String, NDArray[]> states = new HashMap<>();

    private OwnedStateOptimizer(TrainingSettings settings) {
        super(new Builder().optWeightDecays(settings.weightDecay()));
        this.settings = settings;
    }

    /** Creates the optimizer the settings name, with no state yet. */
    static OwnedStateOptimizer of(TrainingSettings settings) {
        return new OwnedStateOptimizer(settings);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int step = updateCount(parameterId);
        float learningRate = settings.learningRate();
        NDList weights = new NDList(weight);
        if (settings.optimizer() == OptimizerKind.ADAM) {
            NDArray[] moments = state(parameterId, weight, 2);
            double coef1 = 1.0 - Math.pow(ADAM_BETA1, step);
            double coef2 = 1.0 - Math.pow(ADAM_BETA2, step);
            float biasCorrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
            weight.getNDArrayInternal()
                    .adamUpdate(
                            new NDList(weight, grad, moments[0], moments[1]),
                            weights,
                            learningRate,
                            biasCorrected,
                            getWeightDecay(),
                            rescaleGrad,
                            clipGrad,
                            ADAM_BETA1,
                            ADAM_BETA2,
                            ADAM_EPSILON,
                            true,
                            false);
            return;
        }
        float momentum = settings.momentum();
        NDList inputs =
                momentum == 0f
                        ? new NDList(weight, grad)
                        : new NDList(weight, grad, state(parameterId, weight, 1)[0]);
        weight.getNDArrayInternal()
                .sgdUpdate(
                        inputs,
                        weights,
                        learningRate,
                        getWeightDecay(),
                        rescaleGrad,
                        clipGrad,
                        momentum,
                        true);
    }

    private NDArray[] state(String parameterId, NDArray weight, int count) {
        return states.computeIfAbsent(
                parameterId,
                id -> {
                    NDArray[] arrays = new NDArray[count];
                    for (int i = 0; i < count; i++) {
                        arrays[i] = weight.zerosLike();
                        arrays[i].detach(); // owned here, not by the weight's manager
                    }
                    return arrays;
                });
    }

    /** Returns the state arrays of a parameter (for tests); null before its first update. */
    NDArray[] stateOf(String parameterId) {
        return states.get(parameterId);
    }

    /** Frees every state array. */
    @Override
    public void close() {
        List<NDArray> all = new ArrayList<>();
        states.values().forEach(arrays -> all.addAll(List.of(arrays)));
        states.clear();
        all.forEach(NDArray::close);
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
