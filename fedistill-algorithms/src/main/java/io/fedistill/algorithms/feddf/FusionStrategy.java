package io.fedistill.algorithms.feddf;

import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.common.KnowledgeProtocol;
import io.fedistill.algorithms.common.LocalModel;
import io.fedistill.core.aggregate.ParticipantWeighting;
import io.fedistill.core.aggregate.SoftLabels;
import io.fedistill.core.aggregate.WeightedMean;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.ModelSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FedDF's coordinator: per-architecture FedAvg, then ensemble distillation of all participants'
 * averaged logits into each group's model on the round's public subset, with early stopping on
 * held-out public samples; the fused models are then sent to every participant of the group.
 */
final class FusionStrategy implements Strategy {
    private final FederationSetup setup;
    private final FedDfAlgorithm.Settings settings;
    private final PublicData publicData;
    private final Map<ModelSpec, TensorRecord> fused = new LinkedHashMap<>();

    /** The round of the fused model each participant last adopted. */
    private final Map<String, Integer> adoptedRound = new TreeMap<>();

    /** The last round that fused models (0: none yet). */
    private int fusedRound;

    FusionStrategy(FederationSetup setup, FedDfAlgorithm.Settings settings) {
        this.setup = setup;
        this.settings = settings;
        this.publicData = setup.requirePublicData(FedDfAlgorithm.NAME);
        for (ModelSpec spec : setup.models().values()) {
            fused.computeIfAbsent(spec, s -> LocalModel.initialWeights(setup, s));
        }
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        catchUp(context, fleet);
        ConfigRecord config =
                ConfigRecord.of(
                        KnowledgeProtocol.WANT_VALIDATION,
                        settings.weighting() == ParticipantWeighting.VALIDATION_ACCURACY);
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            requests.add(
                    Message.builder(context.round(), FedDfAlgorithm.TRAIN, id)
                            .optConfig(config)
                            .build());
        }
        Map<ModelSpec, List<Upload>> uploads = new LinkedHashMap<>();
        for (Map.Entry<ModelSpec, TensorRecord> group : fused.entrySet()) {
            List<Message> groupRequests =
                    requests.stream()
                            .filter(
                                    r ->
                                            setup.models()
                                                    .get(r.participantId())
                                                    .equals(group.getKey()))
                            .toList();
            if (!groupRequests.isEmpty()) {
                TensorRecord expected =
                        TensorRecord.builder()
                                .putAll(group.getValue())
                                .put(
                                        KnowledgeProtocol.LABEL_COUNTS,
                                        Tensor.wrap(
                                                new int[] {setup.numClasses()},
                                                new float[setup.numClasses()]),
                                        TensorRole.COUNTS)
                                .build();
                ExchangeResult result =
                        fleet.exchange(groupRequests, ReplySpec.shapedLike(expected, "examples"));
                uploads.put(
                        group.getKey(),
                        result.replies().stream()
                                .filter(r -> r.metrics().get("examples") > 0)
                                .map(Upload::of)
                                .toList());
            }
        }
        int[] subset = publicData.subset(context.seed("public-subset"), settings.subsetSize());
        int validationCount =
                Math.max(1, (int) Math.round(subset.length * settings.validationFraction()));
        int[] validation = Arrays.copyOfRange(subset, 0, validationCount);
        int[] distillation = Arrays.copyOfRange(subset, validationCount, subset.length);
        float[][] teacherLogits = ensembleLogits(uploads, subset);
        if (teacherLogits == null) {
            return Metrics.of("participants_aggregated", 0);
        }
        float[][] teacher = SoftLabels.softmax(teacherLogits, settings.temperature());
        float[][] validationTeacher = Arrays.copyOfRange(teacher, 0, validationCount);
        float[][] distillationTeacher =
                Arrays.copyOfRange(teacher, validationCount, teacher.length);
        int aggregated = 0;
        double epochsUsed = 0;
        for (Map.Entry<ModelSpec, List<Upload>> group : uploads.entrySet()) {
            List<Upload> replies = group.getValue();
            if (replies.isEmpty()) {
                continue;
            }
            aggregated += replies.size();
            TensorRecord averaged =
                    WeightedMean.of(
                            replies.stream().map(Upload::weights).toList(),
                            replies.stream()
                                    .mapToDouble(u -> u.contribution().examples())
                                    .toArray());
            try (ModelSession student =
                    FedDfAlgorithm.coordinatorSession(setup, group.getKey(), averaged, settings)) {
                TensorRecord best = averaged;
                double bestDivergence = divergence(student, validation, validationTeacher);
                int epoch = 0;
                while (epoch < settings.maxEpochs()) {
                    student.distill(
                            publicData.pool(),
                            distillation,
                            distillationTeacher,
                            (float) settings.temperature(),
                            1,
                            1f,
                            context.seed("feddf-" + group.getKey() + "-" + epoch));
                    epoch++;
                    double divergence = divergence(student, validation, validationTeacher);
                    if (!(divergence < bestDivergence)) {
                        break; // agreement with the ensemble on held-out samples stopped improving
                    }
                    bestDivergence = divergence;
                    best = student.weights();
                }
                epochsUsed += epoch;
                fused.put(group.getKey(), best);
            }
        }
        fusedRound = context.round();
        adopt(context, fleet, fleet.participantIds());
        return Metrics.of(
                "participants_aggregated",
                aggregated,
                "distill_epochs_mean",
                uploads.isEmpty() ? 0 : epochsUsed / uploads.size(),
                "teacher_entropy",
                SoftLabels.meanEntropy(teacher));
    }

    /**
     * Sends the current fused model of its group to every selected participant that has not adopted
     * it (one that joined or came back after the last broadcast), so it trains from the
     * federation's knowledge rather than from scratch.
     */
    private void catchUp(RoundContext context, Fleet fleet) {
        if (fusedRound == 0) {
            return;
        }
        List<String> behind =
                context.selected().stream()
                        .filter(id -> adoptedRound.getOrDefault(id, 0) < fusedRound)
                        .toList();
        if (!behind.isEmpty()) {
            adopt(context, fleet, behind);
        }
    }

    /** Sends each participant its group's fused model and notes who adopted it. */
    private void adopt(RoundContext context, Fleet fleet, List<String> participants) {
        List<Message> broadcast = new ArrayList<>();
        for (String id : participants) {
            broadcast.add(
                    Message.builder(context.round(), FedDfAlgorithm.ADOPT, id)
                            .optTensors(fused.get(setup.models().get(id)))
                            .build());
        }
        for (Message reply :
                fleet.exchange(broadcast, ReplySpec.metricsOnly("received")).replies()) {
            adoptedRound.put(reply.participantId(), fusedRound);
        }
    }

    private static final String ADOPTED = "adopted";
    private static final String FUSED_ROUND = "fused-round";

    /**
     * Holds each architecture group's fused model, under the group's model spec, the round of the
     * last fusion and the round of the model each participant adopted.
     */
    @Override
    public TensorRecord snapshot() {
        TensorRecord.Builder snapshot = TensorRecord.builder();
        fused.forEach((spec, weights) -> snapshot.putSection(spec.toString(), weights));
        snapshot.put(FUSED_ROUND, Tensor.vector(fusedRound));
        adoptedRound.forEach((id, round) -> snapshot.put(ADOPTED + "/" + id, Tensor.vector(round)));
        return snapshot.build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        Map<ModelSpec, TensorRecord> restored = new LinkedHashMap<>();
        for (Map.Entry<ModelSpec, TensorRecord> group : fused.entrySet()) {
            restored.put(
                    group.getKey(),
                    group.getValue()
                            .requireSameLayout(
                                    snapshot.section(group.getKey().toString()),
                                    "fused model of " + group.getKey()));
        }
        fused.putAll(restored);
        fusedRound = snapshot.find(FUSED_ROUND).map(t -> (int) t.get(0)).orElse(0);
        adoptedRound.clear();
        snapshot.section(ADOPTED)
                .asMap()
                .forEach((id, round) -> adoptedRound.put(id, (int) round.get(0)));
    }

    /** One participant's upload: its model weights and what it reports for weighting. */
    private record Upload(TensorRecord weights, ParticipantWeighting.Contribution contribution) {
        static Upload of(Message reply) {
            TensorRecord.Builder weights = TensorRecord.builder();
            reply.tensors()
                    .asMap()
                    .forEach(
                            (name, tensor) -> {
                                if (!name.equals(KnowledgeProtocol.LABEL_COUNTS)) {
                                    weights.put(name, tensor, reply.tensors().role(name));
                                }
                            });
            return new Upload(weights.build(), KnowledgeProtocol.contributionOf(reply));
        }
    }

    /**
     * The ensemble: every uploaded participant model's logits on the subset, averaged class by
     * class with the configured participant weights; null when nobody uploaded.
     */
    private float[][] ensembleLogits(Map<ModelSpec, List<Upload>> uploads, int[] subset) {
        List<float[][]> logits = new ArrayList<>();
        List<ParticipantWeighting.Contribution> contributions = new ArrayList<>();
        for (Map.Entry<ModelSpec, List<Upload>> group : uploads.entrySet()) {
            for (Upload upload : group.getValue()) {
                try (ModelSession session =
                        FedDfAlgorithm.coordinatorSession(
                                setup, group.getKey(), upload.weights(), settings)) {
                    logits.add(session.predict(publicData.pool(), subset));
                    contributions.add(upload.contribution());
                }
            }
        }
        return logits.isEmpty()
                ? null
                : SoftLabels.weightedMean(
                        logits, settings.weighting().weights(contributions, setup.numClasses()));
    }

    /** Mean KL(teacher ‖ student) on held-out samples: how far the student is from the ensemble. */
    private double divergence(ModelSession student, int[] samples, float[][] teacher) {
        float[][] probabilities =
                SoftLabels.softmax(
                        student.predict(publicData.pool(), samples), settings.temperature());
        double total = 0;
        for (int i = 0; i < samples.length; i++) {
            for (int k = 0; k < teacher[i].length; k++) {
                if (teacher[i][k] > 0) {
                    total +=
                            teacher[i][k]
                                    * Math.log(
                                            teacher[i][k] / Math.max(1e-12, probabilities[i][k]));
                }
            }
        }
        return total / samples.length;
    }
}
