package io.fedistill.algorithms.fedkd;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.model.ModelZoo;
import io.fedistill.ml.train.Losses;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.TrainOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * FedKD (Wu et al. 2022), which is also FedAvg fused with distillation: each participant's own
 * model is its private mentor; a small mentee of one shared architecture is trained beside it on
 * the same batches ({@link Losses#adaptiveMutual}: adaptive mutual distillation, each direction
 * divided by the two task losses, and hidden-representation distillation of their equally wide
 * features), and only the mentee is uploaded, averaged and sent back, optionally both ways as
 * truncated-SVD factors of its change, whose kept energy rises over rounds ({@link KeptMentee}).
 * Participants are scored on their mentors; the global mentee is the coordinator's model.
 */
public final class FedKdAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = FedKdSettings.NAME;

    private final FedKdSettings settings;
    private final ModelSpec mentee;

    private FedKdAlgorithm(FedKdSettings settings) {
        this.settings = settings;
        this.mentee = ModelSpec.parse(settings.mentee());
    }

    /** Creates FedKD from its options (see {@link FedKdSettings#fromOptions}). */
    public static FedKdAlgorithm fromOptions(Map<String, Object> options) {
        return new FedKdAlgorithm(FedKdSettings.fromOptions(options));
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * With hidden-representation distillation, refuses mentors whose features are not as wide as
     * the mentee's, suggesting a common projection.
     */
    @Override
    public void validate(FederationSetup setup) {
        if (settings.hiddenWeight() == 0) {
            return;
        }
        long menteeWidth = ModelZoo.featureWidth(mentee, setup.imageShape(), setup.numClasses());
        Map<String, Integer> different = new LinkedHashMap<>();
        for (String model : setup.modelTexts()) {
            int width = setup.featureWidthOf(model).orElseThrow();
            if (width != menteeWidth) {
                different.put(model, width);
            }
        }
        if (!different.isEmpty()) {
            throw new IllegalArgumentException(
                    NAME
                            + " distills hidden representations between each mentor and the mentee"
                            + " "
                            + mentee
                            + " ("
                            + menteeWidth
                            + " wide), so their features must be equally wide; got "
                            + different
                            + "; project them to one width (e.g. 'lenet@64' with model 'mlp:32@64'),"
                            + " or set hiddenWeight: 0");
        }
    }

    @Override
    public Optional<ModelSpec> coordinatorModel(FederationSetup setup) {
        return Optional.of(mentee);
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        validate(setup);
        return settings.newStrategy(LocalModel.initialWeights(setup, mentee));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        LocalModel local = new LocalModel(setup, runSeed);
        float hiddenWeight = (float) settings.hiddenWeight();
        return local.learner(
                FedKdStrategy.TRAIN,
                (request, context) -> {
                    TensorRecord start = KeptMentee.startOf(request, context.state());
                    try (ModelSession mentor = local.openStored(context);
                            ModelSession shared = local.open(mentee, Optional.of(start))) {
                        TrainOutcome outcome =
                                mentor.trainWith(
                                        shared,
                                        setup.trainSet(),
                                        setup.split().trainIndices(),
                                        (logits, peer, features, peerFeatures, labels) ->
                                                Losses.adaptiveMutual(
                                                        logits,
                                                        peer,
                                                        features,
                                                        peerFeatures,
                                                        labels,
                                                        hiddenWeight),
                                        local.trainingSeed(request.round()));
                        context.state().save(LocalModel.WEIGHTS_KEY, mentor.weights());
                        TensorRecord upload =
                                request.config().has(FedKdStrategy.ENERGY)
                                        ? TruncatedSvd.compress(
                                                shared.weights(),
                                                start,
                                                request.config().getDouble(FedKdStrategy.ENERGY))
                                        : shared.weights();
                        return request.reply()
                                .optTensors(upload)
                                .optMetrics(LocalModel.trainingMetrics(outcome))
                                .build();
                    }
                });
    }
}
