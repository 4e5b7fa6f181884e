package io.fedistill.algorithms;

import io.fedistill.algorithms.dsfl.DsflSettings;
import io.fedistill.algorithms.fd.FdSettings;
import io.fedistill.algorithms.fedavg.WeightAveragingSettings;
import io.fedistill.algorithms.fedmd.FedMdSettings;
import io.fedistill.algorithms.fedproto.FedProtoSettings;
import io.fedistill.algorithms.fml.FmlSettings;
import io.fedistill.algorithms.localonly.LocalOnlyStrategy;
import io.fedistill.core.federation.FederationSpec;
import io.fedistill.core.strategy.Strategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Builds the coordinator halves of the algorithms that only aggregate (local-only, FedAvg, FedProx,
 * LG-FedAvg, FML, FD, FedMD, DS-FL, FedProto) from a {@link FederationSpec}, with no model code and
 * no data: what a coordinator without DJL runs. Their options are read by the same settings classes
 * the participant halves use, so both refuse the same options with the same words. Algorithms that
 * train on the coordinator (FedDF, the global student, FedTGP) are not here.
 */
public final class StrategyRegistry {
    private static final Map<String, Function<FederationSpec, Strategy>> FACTORIES =
            new LinkedHashMap<>();

    static {
        FACTORIES.put(
                LocalOnlyStrategy.NAME,
                spec -> {
                    new AlgorithmOptions(LocalOnlyStrategy.NAME, spec.options(), List.of());
                    return new LocalOnlyStrategy();
                });
        FACTORIES.put(
                WeightAveragingSettings.FEDAVG,
                spec -> weightAveraging(WeightAveragingSettings.fedAvg(spec.options()), spec));
        FACTORIES.put(
                WeightAveragingSettings.FEDPROX,
                spec -> weightAveraging(WeightAveragingSettings.fedProx(spec.options()), spec));
        // LG-FedAvg's heads are checked against the first one at the boundary
        FACTORIES.put(
                WeightAveragingSettings.LG_FEDAVG,
                spec ->
                        WeightAveragingSettings.lgFedAvg(spec.options())
                                .newStrategy(Optional.empty()));
        // FML's own options (its global model, alpha, beta) are checked here, used by participants
        FACTORIES.put(
                FmlSettings.NAME,
                spec ->
                        FmlSettings.fromOptions(spec.options())
                                .exchange()
                                .newStrategy(Optional.empty()));
        FACTORIES.put(FdSettings.NAME, StrategyRegistry::fd);
        FACTORIES.put(
                FedProtoSettings.NAME,
                spec ->
                        FedProtoSettings.fromOptions(spec.options())
                                .newStrategy(
                                        spec.classes(),
                                        spec.models().values(),
                                        StrategyRegistry::declaredWidth));
        FACTORIES.put(
                FedMdSettings.NAME,
                spec -> {
                    FedMdSettings settings = FedMdSettings.fromOptions(spec.options());
                    settings.validate(publicData(spec));
                    return settings.newStrategy(spec.classes());
                });
        FACTORIES.put(
                DsflSettings.NAME,
                spec -> {
                    DsflSettings settings = DsflSettings.fromOptions(spec.options());
                    settings.validate(publicData(spec));
                    // a coordinator without data holds no public labels to check uploads against
                    return settings.newStrategy(spec.classes(), Optional.empty());
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
     * Creates the coordinator half of the spec's algorithm, with no model code: FedAvg's first
     * global model comes from a participant, and FD's feature width from the models' spec texts
     * ({@code mlp@64}).
     *
     * @param spec the federation
     * @throws IllegalArgumentException naming an algorithm not built here, a bad option or what the
     *     federation lacks
     */
    public static Strategy newStrategy(FederationSpec spec) {
        Function<FederationSpec, Strategy> factory = FACTORIES.get(spec.algorithm());
        if (factory == null) {
            throw new IllegalArgumentException(
                    spec.algorithm()
                            + " is not an algorithm that only aggregates "
                            + names()
                            + "; it needs model code on the coordinator");
        }
        return factory.apply(spec);
    }

    private static Strategy weightAveraging(WeightAveragingSettings settings, FederationSpec spec) {
        settings.validate(spec.models().values());
        return settings.newStrategy(Optional.empty());
    }

    private static Strategy fd(FederationSpec spec) {
        return FdSettings.fromOptions(spec.options())
                .newStrategy(
                        spec.classes(), spec.models().values(), StrategyRegistry::declaredWidth);
    }

    /** Returns the projection width a model's spec text names ({@code lenet@64}), if any. */
    private static OptionalInt declaredWidth(String model) {
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

    private static Optional<PublicDataFacts> publicData(FederationSpec spec) {
        return spec.publicData().map(ref -> new PublicDataFacts(ref.size(), ref.labeled()));
    }
}
