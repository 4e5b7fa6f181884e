package io.fedistill.ml.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Labelled images held compactly as unsigned bytes, converted to normalized float arrays only for
 * the samples a computation needs.
 */
public final class ImageDataset {
    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;

    /**
     * Creates a dataset.
     *
     * @param name a name for messages
     * @param pixels row-major images, {@code size * channels * height * width} bytes
     * @param labels one label per image, each in {@code [0, numClasses)}
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @param numClasses number of classes
     */
    public ImageDataset(
            String name,
            byte[] pixels,
            int[] labels,
            int channels,
            int height,
            int width,
            int numClasses) {
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException(
                    name
                            + ": "
                            + labels.length
                            + " labels but "
                            + pixels.length
                            + " pixel bytes for "
                            + channels
                            + "x"
                            + height
                            + "x"
                            + width
                            + " images");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(
                        name
                                + ": label "
                                + labels[i]
                                + " of sample "
                                + i
                                + " is outside [0, "
                                + numClasses
                                + ")");
            }
        }
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
    }

    /** Returns the dataset's name. */
    public String name() {
        return name;
    }

    /** Returns the number of samples. */
    public int size() {
        return labels.length;
    }

    /** Returns the number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** Returns the shape of one image, (channels, height, width). */
    public Shape imageShape() {
        return new Shape(channels, height, width);
    }

    /**
     * Creates a dataset of images given as values in [0, 1] (what {@link #images} returns and a
     * generator with sigmoid outputs makes), each rounded to the nearest of 256 levels and clamped,
     * with the image shape and label count of {@code like}.
     *
     * @param name a name for messages
     * @param values row-major images
     * @param labels one label per image
     * @param like the dataset whose image shape and number of classes the new one has
     */
    public static ImageDataset fromUnitValues(
            String name, float[] values, int[] labels, ImageDataset like) {
        byte[] pixels = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            pixels[i] = (byte) Math.round(Math.max(0, Math.min(1, values[i])) * 255);
        }
        return new ImageDataset(
                name, pixels, labels, like.channels, like.height, like.width, like.numClasses);
    }

    /** Returns the label of one sample. */
    public int label(int index) {
        return labels[index];
    }

    /** Returns a copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** Returns the labels of the given samples. */
    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = labels[indices[i]];
        }
        return out;
    }

    /**
     * Returns the same images with other labels (a simulated attacker's flipped labels), sharing
     * this dataset's pixels.
     *
     * @throws IllegalArgumentException when the labels are not one per image, each in range
     */
    public ImageDataset relabeled(String name, int[] newLabels) {
        return new ImageDataset(
                name, pixels, newLabels.clone(), channels, height, width, numClasses);
    }

    /** Returns the given samples, in the given order, as a new dataset called {@code name}. */
    public ImageDataset select(String name, int[] indices) {
        int pixelsPerImage = channels * height * width;
        byte[] selected = new byte[indices.length * pixelsPerImage];
        int[] selectedLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(
                    pixels,
                    indices[i] * pixelsPerImage,
                    selected,
                    i * pixelsPerImage,
                    pixelsPerImage);
            selectedLabels[i] = labels[indices[i]];
        }
        return new ImageDataset(
                name, selected, selectedLabels, channels, height, width, numClasses);
    }

    /**
     * Returns this dataset's samples followed by {@code other}'s as a new dataset called {@code
     * name}.
     *
     * @throws IllegalArgumentException when the image shapes or class counts differ
     */
    public ImageDataset concat(String name, ImageDataset other) {
        if (other.channels != channels
                || other.height != height
                || other.width != width
                || other.numClasses != numClasses) {
            throw new IllegalArgumentException(
                    other.name + " does not hold images and classes like " + this.name);
        }
        byte[] joined = Arrays.copyOf(pixels, pixels.length + other.pixels.length);
        System.arraycopy(other.pixels, 0, joined, pixels.length, other.pixels.length);
        int[] joinedLabels = Arrays.copyOf(labels, labels.length + other.labels.length);
        System.arraycopy(other.labels, 0, joinedLabels, labels.length, other.labels.length);
        return new ImageDataset(name, joined, joinedLabels, channels, height, width, numClasses);
    }

    /** Returns the raw unsigned pixel bytes, for writing the dataset out. */
    byte[] pixels() {
        return pixels;
    }

    /** Returns the first {@code count} samples as a new dataset. */
    public ImageDataset head(int count) {
        if (count < 0 || count > size()) {
            throw new IllegalArgumentException(
                    "count must be in [0, " + size() + "], got " + count);
        }
        int pixelsPerImage = channels * height * width;
        return new ImageDataset(
                name,
                Arrays.copyOf(pixels, count * pixelsPerImage),
                Arrays.copyOf(labels, count),
                channels,
                height,
                width,
                numClasses);
    }

    /**
     * Creates the images of the given samples as one float array in {@code manager}, scaled to [0,
     * 1], shape (n, channels, height, width).
     */
    public NDArray images(NDManager manager, int[] indices) {
        int pixelsPerImage = channels * height * width;
        float[] values = new float[indices.length * pixelsPerImage];
        for (int i = 0; i < indices.length; i++) {
            int offset = indices[i] * pixelsPerImage;
            for (int p = 0; p < pixelsPerImage; p++) {
                values[i * pixelsPerImage + p] = (pixels[offset + p] & 0xff) / 255f;
            }
        }
        return manager.create(values, new Shape(indices.length, channels, height, width));
    }

    /** Returns all sample indices, 0 to size - 1. */
    public int[] allIndices() {
        int[] all = new int[size()];
        Arrays.setAll(all, i -> i);
        return all;
    }
}
