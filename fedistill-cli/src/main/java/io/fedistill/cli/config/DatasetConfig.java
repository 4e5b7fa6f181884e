package io.fedistill.cli.config;

import java.util.List;

/**
 * Which data a run uses.
 *
 * @param name {@code fashion-mnist} (full, found or downloaded) or {@code fashion-mnist-sample}
 *     (embedded)
 * @param dataDir the directory holding the full dataset (optional; when named it must exist, and
 *     nothing else is searched)
 * @param download whether the full dataset may be downloaded when not found
 * @param verifyChecksums whether files whose content differs from the published Fashion-MNIST stop
 *     the run (default); {@code false} uses deliberately changed files with a warning
 * @param trainLimit use only the first n training images (optional)
 * @param testLimit use only the first n test images (optional)
 * @param mergeTrainTest whether the test images join the training images before partitioning, as
 *     PFLlib and HtFLlib do: every participant is then scored on its local test split alone, and
 *     there is no common test set (default {@code false})
 */
public record DatasetConfig(
        String name,
        String dataDir,
        Boolean download,
        Boolean verifyChecksums,
        Integer trainLimit,
        Integer testLimit,
        Boolean mergeTrainTest) {
    /** The dataset names. */
    public static final List<String> NAMES = List.of("fashion-mnist", "fashion-mnist-sample");

    /** Applies defaults and checks values. */
    public DatasetConfig {
        name = name == null ? "fashion-mnist" : name;
        if (!NAMES.contains(name)) {
            throw new ConfigException(
                    "dataset.name: unknown dataset '" + name + "'; allowed: " + NAMES);
        }
        download = download == null ? Boolean.TRUE : download;
        verifyChecksums = verifyChecksums == null ? Boolean.TRUE : verifyChecksums;
        mergeTrainTest = mergeTrainTest == null ? Boolean.FALSE : mergeTrainTest;
        if (dataDir != null && !name.equals("fashion-mnist")) {
            throw new ConfigException(
                    "dataset.dataDir is read only for fashion-mnist; "
                            + name
                            + " is embedded in fedistill (set dataset.name: fashion-mnist to use"
                            + " the files in "
                            + dataDir
                            + ")");
        }
        if (trainLimit != null && trainLimit < 1) {
            throw new ConfigException("dataset.trainLimit must be > 0, got " + trainLimit);
        }
        if (testLimit != null && testLimit < 1) {
            throw new ConfigException("dataset.testLimit must be > 0, got " + testLimit);
        }
    }

    /** Returns the number of classes (both datasets are Fashion-MNIST), without loading it. */
    public int classes() {
        return 10;
    }

    /** Returns (channels, height, width) of one image, without loading the dataset. */
    public List<Integer> inputShape() {
        return List.of(1, 28, 28);
    }
}
