package io.fedistill.core.federation;

import io.fedistill.core.tensor.TensorRecord;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a coordinator half may need to know about a participant's model that only model code can
 * answer: the model's seeded initial weights (FedAvg's first global model) and the width of its
 * features (FD's feature stage). A coordinator without model code answers with {@link #none()}.
 */
public interface ModelFacts {
    /** Returns the seeded initial weights of a model (by its spec text), where known here. */
    Optional<TensorRecord> initialWeights(String model);

    /** Returns the width of a model's features, where known here. */
    OptionalInt featureWidth(String model);

    /**
     * Returns the facts of a coordinator without model code: no weights (the strategy asks a
     * participant for them), and a feature width only where the spec text names a projection width
     * ({@code lenet@64}).
     */
    static ModelFacts none() {
        return new ModelFacts() {
            @Override
            public Optional<TensorRecord> initialWeights(String model) {
                return Optional.empty();
            }

            @Override
            public OptionalInt featureWidth(String model) {
                int at = model.indexOf('@'); // as ModelSpec reads a projection width
                if (at < 0) {
                    return OptionalInt.empty();
                }
                try {
                    return OptionalInt.of(Integer.parseInt(model.substring(at + 1)));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        };
    }
}
