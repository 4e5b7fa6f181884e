package io.fedistill.core.federation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One federation as every process of a run starts from it: the algorithm and its options, each
 * participant's model, the seed, the codec, the shape of the data and the public data by reference.
 * It holds no engine type and no data, so a coordinator that only aggregates can read it without
 * DJL, and it travels to participant processes in the network runtime's welcome (serialized as
 * JSON, see {@code fleet.proto}).
 *
 * @param version the spec's format version, {@link #VERSION}
 * @param algorithm the algorithm's registry name ({@code fedavg}, {@code fd}, ...)
 * @param label the experiment's label for this algorithm run
 * @param options the algorithm's options as written: numbers, strings, booleans, lists and maps
 * @param seed the run seed every derived seed comes from
 * @param codec the wire codec's name
 * @param classes the number of classes
 * @param inputShape (channels, height, width) of one input
 * @param models participant id to model spec text, in the fleet's order
 * @param training local training as participants apply it
 * @param threads intra-op threads each participant process uses
 * @param publicData the public data by reference, where the algorithm uses it
 */
public record FederationSpec(
        int version,
        String algorithm,
        String label,
        Map<String, Object> options,
        long seed,
        String codec,
        int classes,
        List<Integer> inputShape,
        Map<String, String> models,
        Training training,
        int threads,
        Optional<PublicDataRef> publicData) {
    /** The format version this build writes and reads. */
    public static final int VERSION = 2;

    /** Checks every field, naming the one that is wrong, and freezes the collections. */
    public FederationSpec {
        if (version != VERSION) {
            throw new IllegalArgumentException(
                    "federation spec version "
                            + version
                            + " is not supported (this fedistill reads version "
                            + VERSION
                            + ")");
        }
        requireText(algorithm, "algorithm");
        requireText(label, "label");
        requireText(codec, "codec");
        if (classes < 2) {
            throw new IllegalArgumentException("classes must be >= 2, got " + classes);
        }
        Objects.requireNonNull(inputShape, "inputShape is required");
        if (inputShape.size() != 3 || inputShape.stream().anyMatch(d -> d == null || d < 1)) {
            throw new IllegalArgumentException(
                    "inputShape must be three positive sizes (channels, height, width), got "
                            + inputShape);
        }
        Objects.requireNonNull(models, "models is required");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must name at least one participant");
        }
        models.forEach(
                (id, model) -> {
                    ParticipantIds.require(id, "participant id");
                    requireText(model, "models." + id);
                });
        Objects.requireNonNull(training, "training is required");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Objects.requireNonNull(publicData, "publicData is required (empty for none)");
        options = freezeOptions(options == null ? Map.of() : options, "options");
        inputShape = List.copyOf(inputShape);
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** Returns the participant ids, in the fleet's order. */
    public List<String> participantIds() {
        return List.copyOf(models.keySet());
    }

    /**
     * Local training as participants apply it.
     *
     * @param optimizer {@code sgd} or {@code adam}
     * @param learningRate the step size
     * @param momentum SGD momentum
     * @param batchSize samples per step
     * @param localEpochs passes over the private data per round
     * @param weightDecay L2 weight decay
     * @param gradientClipNorm the global gradient norm a step is scaled down to; 0 for none
     * @param localSteps mini-batch steps per round instead of whole epochs; 0 for epochs
     */
    public record Training(
            String optimizer,
            double learningRate,
            double momentum,
            int batchSize,
            int localEpochs,
            double weightDecay,
            double gradientClipNorm,
            int localSteps) {
        /** Checks every value, naming the one out of range. */
        public Training {
            requireText(optimizer, "training.optimizer");
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException(
                        "training.learningRate must be > 0, got " + learningRate);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException(
                        "training.momentum must be in [0, 1), got " + momentum);
            }
            if (batchSize < 1 || localEpochs < 1) {
                throw new IllegalArgumentException(
                        "training.batchSize and localEpochs must be >= 1, got "
                                + batchSize
                                + " and "
                                + localEpochs);
            }
            if (!(weightDecay >= 0) || !(gradientClipNorm >= 0)) {
                throw new IllegalArgumentException(
                        "training.weightDecay and gradientClipNorm must be >= 0, got "
                                + weightDecay
                                + " and "
                                + gradientClipNorm);
            }
            if (localSteps < 0) {
                throw new IllegalArgumentException(
                        "training.localSteps must be >= 0 (0: whole epochs), got " + localSteps);
            }
        }

        /** Training of whole epochs. */
        public Training(
                String optimizer,
                double learningRate,
                double momentum,
                int batchSize,
                int localEpochs,
                double weightDecay,
                double gradientClipNorm) {
            this(
                    optimizer,
                    learningRate,
                    momentum,
                    batchSize,
                    localEpochs,
                    weightDecay,
                    gradientClipNorm,
                    0);
        }
    }

    /**
     * Public data by reference: {@code size} images of the training set of {@code dataset} (limited
     * to its first {@code trainLimit} images when given; with {@code mergeTrainTest}, the training
     * and test images merged as the experiment merges them, the test part limited to its first
     * {@code testLimit}), chosen by the run seed's {@code public-data} stream, so every process
     * holding that dataset derives the same set.
     *
     * @param dataset the dataset's name
     * @param trainLimit how many training images the experiment uses; empty for all
     * @param testLimit how many test images the experiment uses; empty for all
     * @param mergeTrainTest whether the experiment merges the test images into the training images
     *     before it holds out the public data
     * @param size how many are public
     * @param labeled whether the public data's labels may be used
     * @param download whether a process that lacks the dataset may download it
     * @param verifyChecksums whether the dataset's files are checked against known checksums
     */
    public record PublicDataRef(
            String dataset,
            Optional<Integer> trainLimit,
            Optional<Integer> testLimit,
            boolean mergeTrainTest,
            int size,
            boolean labeled,
            boolean download,
            boolean verifyChecksums) {
        /** Checks the reference. */
        public PublicDataRef {
            requireText(dataset, "publicData.dataset");
            Objects.requireNonNull(trainLimit, "publicData.trainLimit is required (empty for all)");
            if (trainLimit.isPresent() && trainLimit.get() < 1) {
                throw new IllegalArgumentException(
                        "publicData.trainLimit must be >= 1, got " + trainLimit.get());
            }
            Objects.requireNonNull(testLimit, "publicData.testLimit is required (empty for all)");
            if (testLimit.isPresent() && testLimit.get() < 1) {
                throw new IllegalArgumentException(
                        "publicData.testLimit must be >= 1, got " + testLimit.get());
            }
            if (size < 1) {
                throw new IllegalArgumentException("publicData.size must be >= 1, got " + size);
            }
        }
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }

    /** Copies an option tree deeply, refusing any value that is not plain data. */
    @SuppressWarnings("unchecked")
    private static <T> T freezeOptions(Object value, String path) {
        if (value == null
                || value instanceof Number
                || value instanceof String
                || value instanceof Boolean) {
            return (T) value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach(
                    (key, item) ->
                            copy.put(String.valueOf(key), freezeOptions(item, path + "." + key)));
            return (T) Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                copy.add(freezeOptions(list.get(i), path + "[" + i + "]"));
            }
            return (T) Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(
                path + " holds a " + value.getClass().getSimpleName() + ", not plain data");
    }
}
