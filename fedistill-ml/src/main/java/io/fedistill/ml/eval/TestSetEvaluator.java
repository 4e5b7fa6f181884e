package io.fedistill.ml.eval;

import io.fedistill.core.coordinator.GlobalModelEvaluator;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Optional;

/** Scores the coordinator's global model of one architecture on the global test set. */
public final class TestSetEvaluator implements GlobalModelEvaluator {
    private final ModelSpec spec;
    private final ImageDataset testSet;
    private final int[] indices;

    /**
     * Creates the evaluator.
     *
     * @param spec the architecture of the global model
     * @param testSet the global test set
     */
    public TestSetEvaluator(ModelSpec spec, ImageDataset testSet) {
        this.spec = spec;
        this.testSet = testSet;
        this.indices = testSet.allIndices();
    }

    @Override
    public Score evaluate(TensorRecord weights) {
        try (ModelSession session =
                ModelSession.open(
                        spec,
                        testSet.imageShape(),
                        testSet.numClasses(),
                        TrainingSettings.defaults(),
                        Optional.of(weights),
                        0)) {
            EvaluationScore score = session.evaluate(testSet, indices);
            return new Score(score.accuracy(), score.loss());
        }
    }
}
