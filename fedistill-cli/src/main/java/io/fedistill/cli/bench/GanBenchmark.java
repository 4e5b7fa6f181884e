package io.fedistill.cli.bench;

import ai.djl.ndarray.NDManager;
import io.fedistill.algorithms.faug.ConditionalGan;
import io.fedistill.cli.config.ConfigException;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.train.LocalObjective;
import io.fedistill.ml.train.ModelSession;
import io.fedistill.ml.train.OptimizerKind;
import io.fedistill.ml.train.TrainingSettings;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How useful FAug's conditional GAN is, judged by real images: the GAN trains on a few seeds of
 * each label from the training set, and a LeNet-5 trained on other real training images says how
 * often a generated sample shows the label it was made for (label fidelity); a LeNet-5 trained on
 * the generated samples alone is scored on the test set (classifier accuracy), beside one trained
 * on the seeds themselves. One line per auxiliary-classifier weight, side by side in one run.
 */
final class GanBenchmark {
    private static final ModelSpec LENET = ModelSpec.parse("lenet");
    private static final int LENET_BATCH = 64;

    private final DatasetSplits data;
    private final int seedsPerLabel;
    private final int steps;
    private final int hiddenWidth;
    private final List<Float> classifierWeights;
    private final int referenceImages;
    private final int generatedPerLabel;
    private final long seed;

    GanBenchmark(
            DatasetSplits data,
            int seedsPerLabel,
            int steps,
            int hiddenWidth,
            List<Float> classifierWeights,
            int referenceImages,
            int generatedPerLabel,
            long seed) {
        int classes = data.train().numClasses();
        require(seedsPerLabel >= 1, "--seeds-per-label must be at least 1, got " + seedsPerLabel);
        require(steps >= 1, "--steps must be at least 1, got " + steps);
        require(hiddenWidth >= 1, "--hidden-width must be at least 1, got " + hiddenWidth);
        require(
                generatedPerLabel >= 1 && generatedPerLabel <= 100_000,
                "--generated-per-label must be between 1 and 100000, got " + generatedPerLabel);
        require(
                referenceImages >= 1,
                "--reference-images must be at least 1, got " + referenceImages);
        require(
                !classifierWeights.isEmpty()
                        && classifierWeights.stream().allMatch(w -> w >= 0 && Float.isFinite(w)),
                "--classifier-weights must be weights of 0 or more, got " + classifierWeights);
        require(
                referenceImages + (long) seedsPerLabel * classes <= data.train().size(),
                "--reference-images "
                        + referenceImages
                        + " and --seeds-per-label "
                        + seedsPerLabel
                        + " need more than the "
                        + data.train().size()
                        + " training images");
        this.data = data;
        this.seedsPerLabel = seedsPerLabel;
        this.steps = steps;
        this.hiddenWidth = hiddenWidth;
        this.classifierWeights = List.copyOf(classifierWeights);
        this.referenceImages = referenceImages;
        this.generatedPerLabel = generatedPerLabel;
        this.seed = seed;
    }

    private static void require(boolean holds, String message) {
        if (!holds) {
            throw new ConfigException(message);
        }
    }

    private static TrainingSettings sgd(int epochs) {
        return new TrainingSettings(OptimizerKind.SGD, 0.01f, 0.9f, LENET_BATCH, epochs, 0f, 0f);
    }

    private ModelSession trainedLenet(ImageDataset on, int[] indices, int epochs, long runSeed) {
        ModelSession session =
                ModelSession.open(
                        LENET,
                        on.imageShape(),
                        on.numClasses(),
                        sgd(epochs),
                        Optional.empty(),
                        runSeed);
        try {
            session.train(on, indices, LocalObjective.crossEntropy(), runSeed);
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    void run(PrintStream out) {
        ImageDataset train = data.train();
        ImageDataset test = data.test();
        int classes = train.numClasses();
        int pixels = Math.toIntExact(train.imageShape().size());
        int[] referenceIndices = new int[referenceImages];
        Arrays.setAll(referenceIndices, i -> i);
        int[] seeds = firstOfEachLabel(train, referenceImages, seedsPerLabel);
        int[] seedLabels = train.labels(seeds);
        float[] seedImages;
        try (NDManager manager = NDManager.newBaseManager()) {
            seedImages = train.images(manager, seeds).toFloatArray();
        }
        ImageDataset seedSet = train.select("seeds", seeds);
        try (ModelSession reference = trainedLenet(train, referenceIndices, 2, seed);
                ModelSession onSeeds = trainedLenet(seedSet, seedSet.allIndices(), 10, seed)) {
            out.printf(
                    Locale.ROOT,
                    "reference LeNet-5 (%d real images, 2 epochs): test accuracy %.4f%n",
                    referenceImages,
                    reference.evaluate(test, test.allIndices()).accuracy());
            out.printf(
                    Locale.ROOT,
                    "seeds: %d of each label (%d); LeNet-5 trained on them alone: test accuracy"
                            + " %.4f%n",
                    seedsPerLabel,
                    seeds.length,
                    onSeeds.evaluate(test, test.allIndices()).accuracy());
            out.println(
                    "classifier weight | GAN s | gan_label_separation | label fidelity (reference)"
                            + " | LeNet-5 trained on generated: test accuracy");
            for (float weight : classifierWeights) {
                ConditionalGan gan =
                        new ConditionalGan(
                                pixels,
                                classes,
                                ConditionalGan.DEFAULT_NOISE_WIDTH,
                                hiddenWidth,
                                weight);
                long start = System.nanoTime();
                ConditionalGan.Trained trained =
                        gan.train(
                                seedImages,
                                seedLabels,
                                steps,
                                ConditionalGan.DEFAULT_BATCH,
                                (float) ConditionalGan.DEFAULT_LEARNING_RATE,
                                seed);
                double seconds = (System.nanoTime() - start) / 1e9;
                int[] asked = new int[generatedPerLabel * classes];
                Arrays.setAll(asked, i -> i % classes);
                ImageDataset generated =
                        ImageDataset.fromUnitValues(
                                "generated",
                                gan.generate(trained.generator(), asked, seed),
                                asked,
                                train);
                try (ModelSession onGenerated =
                        trainedLenet(generated, generated.allIndices(), 10, seed)) {
                    out.printf(
                            Locale.ROOT,
                            "%.2f | %.0f | %.4f | %.4f | %.4f%n",
                            weight,
                            seconds,
                            trained.labelSeparation(),
                            reference.evaluate(generated, generated.allIndices()).accuracy(),
                            onGenerated.evaluate(test, test.allIndices()).accuracy());
                }
            }
        }
    }

    /** The first {@code perLabel} images of each label from index {@code from} on. */
    private static int[] firstOfEachLabel(ImageDataset train, int from, int perLabel) {
        int[] taken = new int[train.numClasses()];
        int[] picked = new int[perLabel * train.numClasses()];
        int count = 0;
        for (int i = from; i < train.size() && count < picked.length; i++) {
            int label = train.label(i);
            if (taken[label] < perLabel) {
                taken[label]++;
                picked[count++] = i;
            }
        }
        if (count < picked.length) {
            throw new ConfigException(
                    "--seeds-per-label "
                            + perLabel
                            + ": the training images after the reference ones hold fewer of some"
                            + " label");
        }
        return picked;
    }
}
