package io.fedistill.ml.data;

/**
 * A dataset's training and test parts.
 *
 * @param train the training images, which partitioners split among participants
 * @param test the global test set every model is scored on
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
}
