package io.fedistill.algorithms.fedtgp;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.fedproto.FedProtoSettings;
import io.fedistill.algorithms.fedproto.PrototypeLearner;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.strategy.Strategy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * FedTGP (Zhang et al. 2024): participants train and upload as in FedProto ({@link
 * PrototypeLearner}); the coordinator learns the global prototypes with {@link TrainablePrototypes}
 * instead of averaging, the strongest published method on HtFLlib's heterogeneous-model benchmark.
 */
public final class FedTgpAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "fedtgp";

    private final FedProtoSettings participants;
    private final TrainablePrototypes.Settings server;

    private FedTgpAlgorithm(FedProtoSettings participants, TrainablePrototypes.Settings server) {
        this.participants = participants;
        this.server = server;
    }

    /**
     * Creates FedTGP from its options: FedProto's {@code lambda} (default 1) and {@code inference}
     * ({@code prototypes}, {@code head} or {@code combined}; the {@code weighting} of means does
     * not apply), and the coordinator's {@code serverEpochs} (default 100, passes over the round's
     * prototypes), {@code serverLearningRate} (SGD, default 0.01), {@code serverBatchSize} (default
     * 10), {@code hiddenWidth} (default: the feature width) and {@code marginCap} (default 100, the
     * largest margin); and {@code alpha} (default 1) with {@code temperature} (default 2): below 1,
     * participants also exchange per-label mean logits and distill toward the others' as in FD,
     * with cross-entropy weight {@code alpha} (FedTGP with FD's teacher beside the prototypes,
     * fedistill's combination of the two). {@code robust: median} or {@code trimmed-mean} (with
     * {@code trimFraction}) train the network on each class's robust centre over its holders and
     * combine the logit teacher's rows by the same rule; FedProto's {@code clipRows} ({@code norm}
     * or {@code centred}) clips each holder's prototype of a class before the network trains on
     * them.
     */
    public static FedTgpAlgorithm fromOptions(Map<String, Object> options) {
        List<String> ownOptions =
                List.of(
                        "serverEpochs",
                        "serverLearningRate",
                        "serverBatchSize",
                        "hiddenWidth",
                        "marginCap",
                        "alpha",
                        "temperature");
        AlgorithmOptions read =
                new AlgorithmOptions(
                        NAME,
                        options,
                        Stream.concat(
                                        FedProtoSettings.OPTIONS.stream()
                                                .filter(o -> !o.equals("weighting")),
                                        ownOptions.stream())
                                .toList());
        return new FedTgpAlgorithm(
                FedProtoSettings.read(NAME, read, 1.0)
                        .withLogitDistillation(
                                read.getDouble("alpha", 1, 0, 1),
                                read.getDouble("temperature", 2, 1e-3, 1e3)),
                new TrainablePrototypes.Settings(
                        read.getInt("serverEpochs", 100, 1, 100_000),
                        (float) read.getDouble("serverLearningRate", 0.01, 1e-6, 10),
                        read.getInt("serverBatchSize", 10, 1, 1_000_000),
                        read.getInt("hiddenWidth", 0, 0, 1 << 16),
                        (float) read.getDouble("marginCap", 100, 0, 1e6)));
    }

    /** Returns the settings FedTGP's participants and its exchange share with FedProto. */
    FedProtoSettings participants() {
        return participants;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        setup.commonFeatureWidth(NAME); // fails naming the widths, suggesting name@width
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        int width = setup.commonFeatureWidth(NAME);
        return participants.newStrategy(
                setup.numClasses(),
                width,
                aggregator(setup.numClasses(), width, Seeds.derive(setup.seed(), 0, "", "fedtgp")));
    }

    /** Returns the coordinator's trainable prototypes under these options' rule. */
    TrainablePrototypes aggregator(int classes, int width, long seed) {
        return new TrainablePrototypes(server, participants.robust(), classes, width, seed);
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        return PrototypeLearner.create(participants, setup, runSeed);
    }
}
