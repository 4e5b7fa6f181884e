package io.fedistill.algorithms.faug;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.algorithms.fd.FdAlgorithm;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.learner.ParticipantContext;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.ml.data.ImageDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FD with FAug (Jeong et al. 2018): in the first round each participant finds the labels it lacks
 * (fewer than {@code targetFraction} of its most frequent label's count) and uploads up to {@code
 * seedsPerLabel} seed samples of those it holds, padded with {@code redundancy} times as many
 * samples of its other labels so that the coordinator cannot tell which labels are missing; the
 * coordinator trains a conditional GAN on all seeds; each participant generates samples of its
 * missing labels (those the GAN has seen) until they are as frequent as its most frequent one, and
 * trains FD on its own and the generated samples from then on. A participant that lacks no label
 * uploads nothing, skips augmentation and says so in its log.
 */
public final class FaugAlgorithm implements Algorithm {
    /** The name used in configs. */
    public static final String NAME = "faug";

    private static final Logger LOG = LoggerFactory.getLogger(FaugAlgorithm.class);
    private static final String STATE = "faug-generator";
    private static final String PLAN = "plan";

    private final FaugSettings settings;
    private final FdAlgorithm fd;

    private FaugAlgorithm(FaugSettings settings, FdAlgorithm fd) {
        this.settings = settings;
        this.fd = fd;
    }

    /** Creates FD+FAug from its options (see {@link FaugSettings#fromOptions}). */
    public static FaugAlgorithm fromOptions(Map<String, Object> options) {
        FaugSettings settings = FaugSettings.fromOptions(options);
        // FD reads the rest, refusing what neither knows
        Map<String, Object> fdOptions = new java.util.LinkedHashMap<>(options);
        fdOptions.keySet().removeIf(FaugSettings.OWN::contains);
        return new FaugAlgorithm(settings, FdAlgorithm.fromOptions(fdOptions));
    }

    /** Returns FD's secure sums, which run after the augmentation. */
    @Override
    public Optional<SecureSumSettings> secureSums() {
        return fd.secureSums();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(FederationSetup setup) {
        fd.validate(setup);
    }

    private ConditionalGan gan(int pixels, int classes) {
        return new ConditionalGan(
                pixels,
                classes,
                settings.noiseWidth(),
                settings.hiddenWidth(),
                (float) settings.ganClassifierWeight());
    }

    @Override
    public Strategy newStrategy(FederationSetup setup) {
        long[] shape = setup.imageShape().getShape();
        int pixels = Math.toIntExact(shape[0] * shape[1] * shape[2]);
        return new AugmentingStrategy(
                settings,
                gan(pixels, setup.numClasses()),
                fd.newStrategy(setup),
                Seeds.derive(setup.seed(), 0, "", "faug"));
    }

    @Override
    public Learner newLearner(ParticipantSetup setup, long runSeed) {
        ImageDataset train = setup.trainSet();
        long[] shape = train.imageShape().getShape();
        int pixels = Math.toIntExact(shape[0] * shape[1] * shape[2]);
        ConditionalGan gan = gan(pixels, train.numClasses());
        int[] indices = setup.split().trainIndices();
        int[] counts = new int[train.numClasses()];
        for (int label : train.labels(indices)) {
            counts[label]++;
        }
        int most = Arrays.stream(counts).max().orElse(0);
        List<Integer> targets = new ArrayList<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < settings.targetFraction() * most) {
                targets.add(c);
            }
        }
        long participantSeed = Seeds.derive(runSeed, 0, setup.participantId(), "faug");
        return fd.learnerBuilder(
                        setup,
                        runSeed,
                        context -> augmentedData(setup, gan, context, participantSeed))
                .on(
                        AugmentingStrategy.SEEDS,
                        (request, context) ->
                                seeds(setup, request, counts, targets, participantSeed, pixels))
                .on(
                        AugmentingStrategy.GENERATOR,
                        (request, context) -> {
                            float[] seen =
                                    request.tensors().get(AugmentingStrategy.SEEN).toFloatArray();
                            float[] plan = new float[counts.length];
                            int total = 0;
                            for (int target : targets) {
                                if (seen[target] == 0) {
                                    continue; // the GAN never saw this label
                                }
                                int wanted = most - counts[target];
                                if (settings.maxGeneratedPerLabel() > 0) {
                                    wanted = Math.min(wanted, settings.maxGeneratedPerLabel());
                                }
                                plan[target] = wanted;
                                total += wanted;
                            }
                            TensorRecord.Builder kept = TensorRecord.builder();
                            request.tensors().names().stream()
                                    .filter(n -> !n.equals(AugmentingStrategy.SEEN))
                                    .forEach(
                                            n ->
                                                    kept.put(
                                                            n,
                                                            request.tensors().get(n),
                                                            TensorRole.WEIGHTS));
                            context.state()
                                    .save(
                                            STATE,
                                            kept.put(
                                                            PLAN,
                                                            Tensor.wrap(
                                                                    new int[] {plan.length}, plan),
                                                            TensorRole.EXACT)
                                                    .build());
                            return request.reply()
                                    .optMetrics(Metrics.of(AugmentingStrategy.GENERATED, total))
                                    .build();
                        })
                .build();
    }

    /**
     * Answers the request for seeds: up to {@code seedsPerLabel} samples of each target label held,
     * and {@code redundancy} times as many of the other labels; nothing when no label is missing.
     */
    private Message seeds(
            ParticipantSetup setup,
            Message request,
            int[] counts,
            List<Integer> targets,
            long seed,
            int pixels) {
        if (targets.isEmpty()) {
            LOG.info("{} lacks no label; it skips augmentation", setup.participantId());
            return seedReply(request, new float[0], new float[0], pixels);
        }
        ImageDataset train = setup.trainSet();
        Random random = new Random(seed);
        List<Integer> chosen = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int index : setup.split().trainIndices()) {
            (targets.contains(train.label(index)) ? chosen : others).add(index);
        }
        List<Integer> seeds = new ArrayList<>();
        for (int target : targets) {
            List<Integer> ofTarget =
                    new ArrayList<>(chosen.stream().filter(i -> train.label(i) == target).toList());
            java.util.Collections.shuffle(ofTarget, random);
            seeds.addAll(ofTarget.subList(0, Math.min(settings.seedsPerLabel(), ofTarget.size())));
        }
        java.util.Collections.shuffle(others, random);
        int padding =
                Math.min(
                        others.size(),
                        settings.redundancy() * settings.seedsPerLabel() * targets.size());
        seeds.addAll(others.subList(0, padding));
        java.util.Collections.shuffle(seeds, random);
        if (seeds.isEmpty()) {
            return seedReply(request, new float[0], new float[0], pixels);
        }
        int[] picked = seeds.stream().mapToInt(Integer::intValue).toArray();
        float[] images = new float[picked.length * pixels];
        float[] labels = new float[picked.length];
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            float[] flat = train.images(manager, picked).toFloatArray();
            System.arraycopy(flat, 0, images, 0, images.length);
        }
        for (int i = 0; i < picked.length; i++) {
            labels[i] = train.label(picked[i]);
        }
        return seedReply(request, images, labels, pixels);
    }

    /** The seeds as two tensors (none for a participant that skips) and their number. */
    private static Message seedReply(Message request, float[] images, float[] labels, int pixels) {
        return request.reply()
                .optTensors(
                        TensorRecord.builder()
                                .put(
                                        AugmentingStrategy.IMAGES,
                                        Tensor.wrap(new int[] {labels.length, pixels}, images),
                                        TensorRole.EXACT)
                                .put(
                                        AugmentingStrategy.LABELS,
                                        Tensor.wrap(new int[] {labels.length}, labels),
                                        TensorRole.EXACT)
                                .build())
                .optMetrics(Metrics.of(AugmentingStrategy.RAW_SAMPLES, labels.length))
                .build();
    }

    /** The private training split, with the generated samples once there is a generator. */
    private static FdAlgorithm.TrainingData augmentedData(
            ParticipantSetup setup, ConditionalGan gan, ParticipantContext context, long seed) {
        Optional<TensorRecord> stored = context.state().load(STATE);
        if (stored.isEmpty()) {
            return FdAlgorithm.TrainingData.privateSplit(setup);
        }
        float[] plan = stored.get().get(PLAN).toFloatArray();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < plan.length; c++) {
            for (int k = 0; k < plan[c]; k++) {
                labels.add(c);
            }
        }
        ImageDataset own = setup.trainSet().select("own", setup.split().trainIndices());
        if (labels.isEmpty()) {
            return new FdAlgorithm.TrainingData(own, own.allIndices());
        }
        TensorRecord.Builder weights = TensorRecord.builder();
        stored.get().names().stream()
                .filter(n -> !n.equals(PLAN))
                .forEach(n -> weights.put(n, stored.get().get(n), TensorRole.WEIGHTS));
        int[] generatedLabels = labels.stream().mapToInt(Integer::intValue).toArray();
        ImageDataset generated =
                ImageDataset.fromUnitValues(
                        "generated",
                        gan.generate(weights.build(), generatedLabels, seed),
                        generatedLabels,
                        setup.trainSet());
        ImageDataset both = own.concat("own and generated", generated);
        return new FdAlgorithm.TrainingData(both, both.allIndices());
    }
}
