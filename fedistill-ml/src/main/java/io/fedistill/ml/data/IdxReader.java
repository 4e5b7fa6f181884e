package io.fedistill.ml.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST-style datasets (optionally gzip-compressed), checking the magic
 * number and that the file holds all the data its header promises.
 */
public final class IdxReader {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {}

    /**
     * Images as read from an IDX3 file.
     *
     * @param count number of images
     * @param rows image height
     * @param columns image width
     * @param pixels {@code count * rows * columns} unsigned bytes
     */
    public record Images(int count, int rows, int columns, byte[] pixels) {}

    /** Reads an IDX3 image file, gzip-compressed or not. */
    public static Images readImages(Path file) {
        return readImages(file.toString(), openFile(file));
    }

    /**
     * Reads IDX3 images from a stream (gzip-compressed or not) and closes it; {@code file} names it
     * in errors.
     */
    public static Images readImages(String file, InputStream source) {
        try (DataInputStream in = open(file, source)) {
            checkMagic(file, in.readInt(), IMAGES_MAGIC);
            int count = checkedDim(file, in.readInt());
            int rows = checkedDim(file, in.readInt());
            int columns = checkedDim(file, in.readInt());
            byte[] pixels = new byte[Math.multiplyExact(count, Math.multiplyExact(rows, columns))];
            in.readFully(pixels);
            return new Images(count, rows, columns, pixels);
        } catch (EOFException e) {
            throw new DatasetException(
                    file + " is truncated: it holds fewer bytes than its header promises", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads an IDX1 label file, gzip-compressed or not. */
    public static int[] readLabels(Path file) {
        return readLabels(file.toString(), openFile(file));
    }

    /**
     * Reads IDX1 labels from a stream (gzip-compressed or not) and closes it; {@code file} names it
     * in errors.
     */
    public static int[] readLabels(String file, InputStream source) {
        try (DataInputStream in = open(file, source)) {
            checkMagic(file, in.readInt(), LABELS_MAGIC);
            int count = checkedDim(file, in.readInt());
            byte[] raw = new byte[count];
            in.readFully(raw);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        } catch (EOFException e) {
            throw new DatasetException(
                    file + " is truncated: it holds fewer bytes than its header promises", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens a file's content, decompressing it when it is gzip-compressed. */
    public static InputStream openDecompressed(Path file) throws IOException {
        return open(file.toString(), openFile(file));
    }

    private static InputStream openFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("dataset file " + file + " does not exist");
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new DatasetException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(String file, InputStream source) throws IOException {
        InputStream in = new BufferedInputStream(source, 1 << 16);
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        if (first == 0x1f && second == 0x8b) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new DatasetException(
                        file + " is not a valid gzip file: " + e.getMessage(), e);
            }
        }
        return new DataInputStream(in);
    }

    private static void checkMagic(String file, int magic, int expected) {
        if (magic != expected) {
            throw new DatasetException(
                    String.format(
                            "%s has IDX magic number 0x%08x, expected 0x%08x: not an IDX %s file",
                            file, magic, expected, expected == IMAGES_MAGIC ? "image" : "label"));
        }
    }

    private static int checkedDim(String file, int dim) {
        if (dim < 0) {
            throw new DatasetException(file + " has a negative dimension in its header: " + dim);
        }
        return dim;
    }
}
