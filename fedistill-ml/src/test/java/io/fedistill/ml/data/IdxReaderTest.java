package io.fedistill.ml.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir Path dir;

    private static byte[] images(int magic, int count, int rows, int cols, byte[] pixels)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }

    private static byte[] labels(int count, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x801);
        out.writeInt(count);
        out.write(values);
        return bytes.toByteArray();
    }

    private Path gz(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsRawAndGzipFiles() throws IOException {
        byte[] pixels = {0, 1, 2, 3, (byte) 255, 5, 6, 7};
        Path raw = Files.write(dir.resolve("imgs"), images(0x803, 2, 2, 2, pixels));
        IdxReader.Images read = IdxReader.readImages(raw);
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.pixels()).containsExactly(pixels);
        assertThat(IdxReader.readLabels(gz("labels.gz", labels(3, new byte[] {9, 0, 4}))))
                .containsExactly(9, 0, 4);
    }

    @Test
    void refusesBadMagicAndTruncatedFiles() throws IOException {
        Path badMagic = gz("bad.gz", images(0x801, 1, 2, 2, new byte[4]));
        assertThatThrownBy(() -> IdxReader.readImages(badMagic))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("magic number 0x00000801, expected 0x00000803");
        byte[] full = images(0x803, 3, 2, 2, new byte[12]);
        Path truncated = gz("short.gz", Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> IdxReader.readImages(truncated))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> IdxReader.readLabels(dir.resolve("missing")))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void fashionMnistFailsWithEveryWayToGetTheData() {
        // only meaningful where no default location holds the data
        if (FashionMnist.locate().isEmpty()) {
            assertThatThrownBy(() -> FashionMnist.load(Optional.empty(), false, true))
                    .isInstanceOf(DatasetException.class)
                    .hasMessageContaining("apt-get install dataset-fashion-mnist")
                    .hasMessageContaining(FashionMnist.OFFICIAL_URL)
                    .hasMessageContaining("--data-dir")
                    .hasMessageContaining("FEDISTILL_DATA")
                    .hasMessageContaining("fashion-mnist-sample");
        } else {
            assertThat(FashionMnist.searchPath()).contains(FashionMnist.locate().get());
        }
    }

    @Test
    void aNamedDataDirectoryMustExistAndHoldTheDataset() throws IOException {
        Path nowhere = dir.resolve("nowhere");
        assertThatThrownBy(() -> FashionMnist.load(Optional.of(nowhere), true, true))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("data directory " + nowhere + " does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.write(empty.resolve("t10k-labels-idx1-ubyte"), labels(1, new byte[] {3}));
        assertThatThrownBy(() -> FashionMnist.load(Optional.of(empty), false, true))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("data directory " + empty + " does not hold Fashion-MNIST")
                .hasMessageContaining(
                        "[train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
                                + " t10k-images-idx3-ubyte.gz] missing");
    }

    /** Writes a well-formed Fashion-MNIST-shaped directory that is not the published dataset. */
    private Path forgedDataset(int trainImages) throws IOException {
        Path data = Files.createDirectories(dir.resolve("fm"));
        Files.write(
                data.resolve("train-images-idx3-ubyte"),
                images(0x803, trainImages, 28, 28, new byte[trainImages * 784]));
        Files.write(data.resolve("train-labels-idx1-ubyte"), labels(2, new byte[] {1, 2}));
        gz("t10k-images-idx3-ubyte.gz", images(0x803, 1, 28, 28, new byte[784]));
        Files.move(
                dir.resolve("t10k-images-idx3-ubyte.gz"),
                data.resolve("t10k-images-idx3-ubyte.gz"));
        Files.write(data.resolve("t10k-labels-idx1-ubyte"), labels(1, new byte[] {3}));
        return data;
    }

    @Test
    void filesFoundOnDiskAreCheckedAgainstThePublishedChecksums() throws IOException {
        Path data = forgedDataset(2);
        assertThatThrownBy(() -> FashionMnist.load(Optional.of(data), false, true))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("Fashion-MNIST in " + data + " differs from the published")
                .hasMessageContaining("train-images-idx3-ubyte (content SHA-256 ")
                .hasMessageContaining("t10k-images-idx3-ubyte.gz (content SHA-256 ")
                .hasMessageContaining("set dataset.verifyChecksums: false");
        DatasetSplits accepted = FashionMnist.load(Optional.of(data), false, false);
        assertThat(accepted.train().size()).isEqualTo(2);
        assertThat(accepted.test().labels()).containsExactly(3);
    }

    @Test
    void aCorruptDatasetDirectoryIsReportedByFile() throws IOException {
        Path data = forgedDataset(3);
        Files.write(
                data.resolve("train-images-idx3-ubyte"), images(0x803, 2, 28, 28, new byte[100]));
        assertThatThrownBy(() -> FashionMnist.load(Optional.of(data), false, false))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("train-images-idx3-ubyte is truncated");
    }

    @Test
    void aDownloadThatFailsItsChecksumIsDeleted() throws IOException {
        Path forged = gz("t10k-labels-idx1-ubyte.gz", labels(1, new byte[] {3}));
        assertThatThrownBy(() -> FashionMnist.verify(forged, FashionMnist.IdxFile.TEST_LABELS))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("failed its SHA-256 check")
                .hasMessageContaining(
                        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");
        assertThat(forged).doesNotExist();
    }

    @Test
    void debiansCopyMatchesTheOfficialChecksumsWhenInstalled() throws IOException {
        Path debian = FashionMnist.DEBIAN_DIR.resolve("t10k-labels-idx1-ubyte.gz");
        if (Files.isRegularFile(debian)) {
            Path copy = Files.copy(debian, dir.resolve("t10k-labels-idx1-ubyte.gz"));
            FashionMnist.verify(copy, FashionMnist.IdxFile.TEST_LABELS);
            assertThat(copy).exists();
        }
    }

    @Test
    void theEmbeddedSampleHoldsFourThousandAndOneThousandImages() {
        DatasetSplits sample = FashionMnist.sample();
        assertThat(sample.train().size()).isEqualTo(4000);
        assertThat(sample.test().size()).isEqualTo(1000);
        assertThat(Arrays.stream(sample.train().labels()).distinct().count()).isEqualTo(10);
    }
}
