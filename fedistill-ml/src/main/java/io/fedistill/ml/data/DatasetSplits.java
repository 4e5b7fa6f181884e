package io.fedistill.ml.data;

import java.util.Optional;

/**
 * A dataset's training and test parts.
 *
 * @param train the training images, which partitioners split among participants
 * @param test the global test set every model is scored on; empty when the test images were merged
 *     into {@code train} ({@link #mergedForLocalTests})
 */
public record DatasetSplits(ImageDataset train, ImageDataset test) {
    /** Checks the parts agree on image shape and classes. */
    public DatasetSplits {
        if (!train.imageShape().equals(test.imageShape())
                || train.numClasses() != test.numClasses()) {
            throw new IllegalArgumentException(
                    "train and test parts differ in image shape or classes");
        }
    }

    /**
     * Returns the parts of the PFLlib / HtFLlib protocol: the test images appended to the training
     * images, so partitioners share all of them and every participant is scored on its own local
     * test split alone; no common test set is left.
     */
    public DatasetSplits mergedForLocalTests() {
        return new DatasetSplits(
                train.concat(train.name() + " + " + test.name(), test), test.head(0));
    }

    /** Returns the global test set, or empty when there is none (merged into the training set). */
    public Optional<ImageDataset> commonTestSet() {
        return test.size() == 0 ? Optional.empty() : Optional.of(test);
    }
}
