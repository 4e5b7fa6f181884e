package io.fedistill.algorithms;

import io.fedistill.algorithms.dsfl.DsflAlgorithm;
import io.fedistill.algorithms.faug.FaugAlgorithm;
import io.fedistill.algorithms.fd.FdAlgorithm;
import io.fedistill.algorithms.fedavg.FedAvgAlgorithm;
import io.fedistill.algorithms.feddf.FedDfAlgorithm;
import io.fedistill.algorithms.fedgen.FedGenAlgorithm;
import io.fedistill.algorithms.fedkd.FedKdAlgorithm;
import io.fedistill.algorithms.fedmd.FedMdAlgorithm;
import io.fedistill.algorithms.fedproto.FedProtoAlgorithm;
import io.fedistill.algorithms.fedprox.FedProxAlgorithm;
import io.fedistill.algorithms.fedtgp.FedTgpAlgorithm;
import io.fedistill.algorithms.fml.FmlAlgorithm;
import io.fedistill.algorithms.globalstudent.GlobalStudentAlgorithm;
import io.fedistill.algorithms.lgfedavg.LgFedAvgAlgorithm;
import io.fedistill.algorithms.localonly.LocalOnlyAlgorithm;
import io.fedistill.algorithms.pipeline.PipelineAlgorithm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Maps algorithm names in experiment files to algorithms built from their options. */
public final class AlgorithmRegistry {

    /**
     * One registered algorithm.
     *
     * @param name the config name
     * @param description one line for {@code fedistill list}
     * @param factory builds the algorithm from its options
     */
    public record Entry(
            String name, String description, Function<Map<String, Object>, Algorithm> factory) {}

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(
                new Entry(
                        LocalOnlyAlgorithm.NAME,
                        "each participant trains alone: the baseline",
                        options -> {
                            new AlgorithmOptions(LocalOnlyAlgorithm.NAME, options, List.of());
                            return new LocalOnlyAlgorithm();
                        }));
        register(
                new Entry(
                        FedAvgAlgorithm.NAME,
                        "FedAvg: example-weighted mean of weights (one architecture)",
                        FedAvgAlgorithm::fromOptions));
        register(
                new Entry(
                        FedProxAlgorithm.NAME,
                        "FedProx: FedAvg plus a proximal term mu/2 ||w - w_global||^2",
                        FedProxAlgorithm::fromOptions));
        register(
                new Entry(
                        LgFedAvgAlgorithm.NAME,
                        "LG-FedAvg: only classifier heads are averaged; extractors stay private"
                                + " (equal head shapes, name@width)",
                        LgFedAvgAlgorithm::fromOptions));
        register(
                new Entry(
                        FmlAlgorithm.NAME,
                        "FML: deep mutual learning between each private model and a shared"
                                + " global model, which is averaged",
                        FmlAlgorithm::fromOptions));
        register(
                new Entry(
                        FedKdAlgorithm.NAME,
                        "FedKD: a private mentor and a shared mentee by adaptive mutual"
                                + " distillation; only the mentee travels (optionally SVD-compressed)",
                        FedKdAlgorithm::fromOptions));
        register(
                new Entry(
                        FdAlgorithm.NAME,
                        "FD: per-label mean logits, distilled (any architectures)",
                        FdAlgorithm::fromOptions));
        register(
                new Entry(
                        FaugAlgorithm.NAME,
                        "FD with FAug: seed samples of missing labels (hidden among others) train"
                                + " a conditional GAN; participants balance their data, then FD",
                        FaugAlgorithm::fromOptions));
        register(
                new Entry(
                        FedMdAlgorithm.NAME,
                        "FedMD: transfer on public data, then consensus class scores on it",
                        FedMdAlgorithm::fromOptions));
        register(
                new Entry(
                        DsflAlgorithm.NAME,
                        "DS-FL: soft labels on unlabeled public data, mean or ERA aggregation",
                        DsflAlgorithm::fromOptions));
        register(
                new Entry(
                        FedDfAlgorithm.NAME,
                        "FedDF: FedAvg per architecture, then ensemble distillation on public data",
                        FedDfAlgorithm::fromOptions));
        register(
                new Entry(
                        FedGenAlgorithm.NAME,
                        "FedGen: heads and label counts up; a feature-space generator trained on"
                                + " the coordinator regularizes the heads (equal feature widths)",
                        FedGenAlgorithm::fromOptions));
        register(
                new Entry(
                        FedProtoAlgorithm.NAME,
                        "FedProto: per-class feature prototypes, averaged; nearest-prototype"
                                + " inference (equal feature widths, name@width)",
                        FedProtoAlgorithm::fromOptions));
        register(
                new Entry(
                        FedTgpAlgorithm.NAME,
                        "FedTGP: trainable global prototypes learned on the coordinator with an"
                                + " adaptive-margin contrastive loss",
                        FedTgpAlgorithm::fromOptions));
        register(
                new Entry(
                        PipelineAlgorithm.NAME,
                        "federated teacher-to-student pipeline: FedAvg a teacher, distill it into"
                                + " a FedAvg student, fine-tune locally (stages in one run)",
                        PipelineAlgorithm::fromOptions));
        register(
                new Entry(
                        GlobalStudentAlgorithm.NAME,
                        "coordinator-side student distilled from participants' "
                                + "soft labels (cross-device or cross-institution)",
                        GlobalStudentAlgorithm::fromOptions));
    }

    private AlgorithmRegistry() {}

    private static void register(Entry entry) {
        ENTRIES.put(entry.name(), entry);
    }

    /** Returns every registered algorithm in registration order. */
    public static List<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    /**
     * Creates an algorithm by name.
     *
     * @throws IllegalArgumentException naming the unknown algorithm and the allowed ones, or a bad
     *     option
     */
    public static Algorithm create(String name, Map<String, Object> options) {
        Entry entry = ENTRIES.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(
                    "unknown algorithm '" + name + "'; allowed: " + ENTRIES.keySet());
        }
        return entry.factory().apply(options == null ? Map.of() : options);
    }
}
