package io.fedistill.ml.data;

import io.fedistill.ml.partition.ParticipantSplit;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

/**
 * What one participant process holds: its own training split, its own local test split and, when
 * the experiment scores models on a common test set, that test set, as gzip IDX files in one
 * directory ({@code train-*}, {@code local-test-*} and the optional {@code t10k-*}, each an {@code
 * -images-idx3-ubyte.gz} and a {@code -labels-idx1-ubyte.gz}). {@code fedistill partition} writes
 * one such directory per participant of an experiment; {@code fedistill join --data DIR} reads one.
 *
 * @param train the participant's training samples, in the order it trains on them
 * @param localTest its held-out local samples
 * @param test the common test set its model is scored on, where it holds one
 */
public record ParticipantData(
        ImageDataset train, ImageDataset localTest, Optional<ImageDataset> test) {
    private static final List<String> REQUIRED = List.of("train", "local-test");
    private static final String TEST = "t10k";

    /** Returns the participant's training and local test samples as one set and its split. */
    public ParticipantSplit split(String participantId) {
        int n = train.size();
        return new ParticipantSplit(
                participantId,
                IntStream.range(0, n).toArray(),
                IntStream.range(n, n + localTest.size()).toArray());
    }

    /** Returns the set {@link #split} indexes: the training samples, then the local test ones. */
    public ImageDataset trainAndLocalTest() {
        return train.concat(train.name(), localTest);
    }

    /**
     * Reads a participant's directory.
     *
     * @throws DatasetException naming the directory and every file missing from it
     */
    public static ParticipantData read(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String part : REQUIRED) {
            missing.addAll(missingFiles(dir, part));
        }
        List<String> missingTest = missingFiles(dir, TEST);
        if (missingTest.size() == 1) {
            missing.addAll(missingTest); // the test set is optional, half of it is not
        }
        if (!missing.isEmpty()) {
            throw new DatasetException(
                    "participant data directory "
                            + dir
                            + " lacks "
                            + missing
                            + "; `fedistill partition <experiment> --out DIR` writes one per"
                            + " participant");
        }
        return new ParticipantData(
                FashionMnist.read(dir + " train", images(dir, "train"), labels(dir, "train")),
                FashionMnist.read(
                        dir + " local-test", images(dir, "local-test"), labels(dir, "local-test")),
                missingTest.isEmpty()
                        ? Optional.of(
                                FashionMnist.read(
                                        dir + " t10k", images(dir, TEST), labels(dir, TEST)))
                        : Optional.empty());
    }

    private static List<String> missingFiles(Path dir, String part) {
        List<String> missing = new ArrayList<>();
        for (Path file : List.of(images(dir, part), labels(dir, part))) {
            if (!Files.isRegularFile(file)) {
                missing.add(file.getFileName().toString());
            }
        }
        return missing;
    }

    /** Writes the sets into {@code dir}, creating it. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeSet(train, dir, "train");
        writeSet(localTest, dir, "local-test");
        if (test.isPresent()) {
            writeSet(test.get(), dir, TEST);
        }
    }

    private static void writeSet(ImageDataset set, Path dir, String part) throws IOException {
        writeImages(set, images(dir, part));
        writeLabels(set, labels(dir, part));
    }

    private static Path images(Path dir, String part) {
        return dir.resolve(part + "-images-idx3-ubyte.gz");
    }

    private static Path labels(Path dir, String part) {
        return dir.resolve(part + "-labels-idx1-ubyte.gz");
    }

    private static void writeImages(ImageDataset set, Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(0x00000803);
            out.writeInt(set.size());
            out.writeInt((int) set.imageShape().get(1));
            out.writeInt((int) set.imageShape().get(2));
            out.write(set.pixels());
        }
    }

    private static void writeLabels(ImageDataset set, Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.writeInt(0x00000801);
            out.writeInt(set.size());
            for (int label : set.labels()) {
                out.writeByte(label);
            }
        }
    }
}
