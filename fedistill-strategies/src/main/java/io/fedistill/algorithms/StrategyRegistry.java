package io.fedistill.algorithms;

import io.fedistill.algorithms.dsfl.DsflSettings;
import io.fedistill.algorithms.fd.FdSettings;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import io.fedistill.algorithms.fedmd.FedMdSettings;
import io.fedistill.algorithms.localonly.LocalOnlyStrategy;
import io.fedistill.core.federation.FederationSpec;
import io.fedistill.core.federation.ModelFacts;
import io.fedistill.core.strategy.Strategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Builds the coordinator halves of the algorithms that only aggregate (local-only, FedAvg, FedProx,
 * FD, FedMD, DS-FL) from a {@link FederationSpec}, with no model code and no data: what a
 * coordinator without DJL runs. Their options are read by the same settings classes the participant
 * halves use, so both refuse the same options with the same words. Algorithms that train on the
 * coordinator (FedDF, the global student) are not here.
 */
public final class StrategyRegistry {
    private static final Map<String, BiFunction<FederationSpec, ModelFacts, Strategy>> FACTORIES =
            new LinkedHashMap<>();

    static {
        FACTORIES.put(
                LocalOnlyStrategy.NAME,
                (spec, models) -> {
                    new AlgorithmOptions(LocalOnlyStrategy.NAME, spec.options(), List.of());
                    return new LocalOnlyStrategy();
                });
        FACTORIES.put(
                WeightAveragingSettings.FEDAVG,
                (spec, models) ->
                        weightAveraging(
                                WeightAveragingSettings.fedAvg(spec.options()), spec, models));
        FACTORIES.put(
                WeightAveragingSettings.FEDPROX,
                (spec, models) ->
                        weightAveraging(
                                WeightAveragingSettings.fedProx(spec.options()), spec, models));
        FACTORIES.put(FdSettings.NAME, StrategyRegistry::fd);
        FACTORIES.put(
                FedMdSettings.NAME,
                (spec, models) -> {
                    FedMdSettings settings = FedMdSettings.fromOptions(spec.options());
                    settings.validate(publicData(spec));
                    return settings.newStrategy(spec.classes());
                });
        FACTORIES.put(
                DsflSettings.NAME,
                (spec, models) -> {
                    DsflSettings settings = DsflSettings.fromOptions(spec.options());
                    settings.validate(publicData(spec));
                    return settings.newStrategy(spec.classes());
                });
    }

    private StrategyRegistry() {}

    /** Returns the names of the algorithms built here. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /** Returns whether the algorithm only aggregates, so that this registry builds it. */
    public static boolean knows(String algorithm) {
        return FACTORIES.containsKey(algorithm);
    }

    /**
     * Creates the coordinator half of the spec's algorithm.
     *
     * @param spec the federation
     * @param models what model code can tell; {@link ModelFacts#none()} without any
     * @throws IllegalArgumentException naming an algorithm not built here, a bad option or what the
     *     federation lacks
     */
    public static Strategy newStrategy(FederationSpec spec, ModelFacts models) {
        BiFunction<FederationSpec, ModelFacts, Strategy> factory = FACTORIES.get(spec.algorithm());
        if (factory == null) {
            throw new IllegalArgumentException(
                    spec.algorithm()
                            + " is not an algorithm that only aggregates "
                            + names()
                            + "; it needs model code on the coordinator");
        }
        return factory.apply(spec, models);
    }

    private static Strategy weightAveraging(
            WeightAveragingSettings settings, FederationSpec spec, ModelFacts models) {
        settings.validate(spec.models().values());
        return settings.newStrategy(
                models.initialWeights(spec.models().values().iterator().next()));
    }

    private static Strategy fd(FederationSpec spec, ModelFacts models) {
        return FdSettings.fromOptions(spec.options())
                .newStrategy(spec.classes(), spec.models().values(), models::featureWidth);
    }

    private static Optional<PublicDataFacts> publicData(FederationSpec spec) {
        return spec.publicData().map(ref -> new PublicDataFacts(ref.size(), ref.labeled()));
    }
}
