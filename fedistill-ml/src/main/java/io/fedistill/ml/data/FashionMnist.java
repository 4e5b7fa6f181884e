package io.fedistill.ml.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST (Xiao et al. 2017, MIT licence): finds the IDX files on this machine, or downloads
 * them with SHA-256 checks, and ships a small sample for tests and the quickstart.
 */
public final class FashionMnist {
    /**
     * Environment variable naming a directory that holds the dataset (or a fashion-mnist/ folder).
     */
    public static final String DATA_ENV = "FEDISTILL_DATA";

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The dataset's official download location. */
    public static final String OFFICIAL_URL =
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    /** The class names, in label order. */
    public static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);
    private static final String SAMPLE_RESOURCE = "/io/fedistill/ml/data/fashion-mnist-sample/";

    /** One of the four files, with the SHA-256 of its decompressed content. */
    enum IdxFile {
        TRAIN_IMAGES(
                "train-images-idx3-ubyte",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        TRAIN_LABELS(
                "train-labels-idx1-ubyte",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        TEST_IMAGES(
                "t10k-images-idx3-ubyte",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        TEST_LABELS(
                "t10k-labels-idx1-ubyte",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

        final String baseName;
        final String sha256;

        IdxFile(String baseName, String sha256) {
            this.baseName = baseName;
            this.sha256 = sha256;
        }

        String gzName() {
            return baseName + ".gz";
        }
    }

    private FashionMnist() {}

    /** Returns the default download directory, {@code ~/.fedistill/datasets/fashion-mnist}. */
    public static Path userDir() {
        return Path.of(System.getProperty("user.home"), ".fedistill", "datasets", "fashion-mnist");
    }

    /**
     * Returns the directories searched when no data directory is named, in order: {@code
     * $FEDISTILL_DATA} (and its {@code fashion-mnist/}), {@code
     * ~/.fedistill/datasets/fashion-mnist}, and Debian's install directory.
     */
    public static List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        String env = System.getenv(DATA_ENV);
        if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env));
            dirs.add(Path.of(env, "fashion-mnist"));
        }
        dirs.add(userDir());
        dirs.add(DEBIAN_DIR);
        return dirs;
    }

    /** Returns the first directory of the {@link #searchPath()} holding all four files, if any. */
    public static Optional<Path> locate() {
        return searchPath().stream().filter(FashionMnist::holdsAllFiles).findFirst();
    }

    /**
     * Loads the full dataset (60,000 training and 10,000 test images).
     *
     * <p>A named data directory is the only place looked in: it must exist and hold the four files
     * (directly or in a {@code fashion-mnist/} folder), or be where they are downloaded to when
     * downloads are allowed. Without one, the {@link #searchPath()} is searched and the files are
     * downloaded into {@link #userDir()} when allowed. Files found on disk get the same SHA-256
     * check of their decompressed content as downloaded ones.
     *
     * @param dataDir the directory the user named, if any
     * @param allowDownload whether to fetch the files when they are not there
     * @param requireOfficialFiles whether a file whose content differs from the published
     *     Fashion-MNIST stops the run (otherwise it is used with a warning)
     * @throws DatasetException naming the directory and what is wrong, or every way to get the data
     */
    public static DatasetSplits load(
            Optional<Path> dataDir, boolean allowDownload, boolean requireOfficialFiles) {
        Path dir = dataDir.isPresent() ? inNamedDirectory(dataDir.get(), allowDownload) : null;
        if (dir == null) {
            Optional<Path> found = locate();
            if (found.isEmpty() && allowDownload) {
                try {
                    download(userDir());
                    found = Optional.of(userDir());
                } catch (DatasetException e) {
                    throw new DatasetException(
                            missingMessage() + "\nThe download failed: " + e.getMessage(), e);
                }
            }
            dir = found.orElseThrow(() -> new DatasetException(missingMessage()));
        }
        checkContent(dir, requireOfficialFiles);
        return loadFrom(dir);
    }

    /** Finds the files in the directory the user named, downloading them there if allowed. */
    private static Path inNamedDirectory(Path named, boolean allowDownload) {
        if (!Files.isDirectory(named)) {
            throw new DatasetException(
                    "data directory "
                            + named
                            + (Files.exists(named) ? " is not a directory" : " does not exist")
                            + "; name a directory holding the four Fashion-MNIST files, or none to"
                            + " search "
                            + searchPath());
        }
        for (Path dir : List.of(named, named.resolve("fashion-mnist"))) {
            if (holdsAllFiles(dir)) {
                return dir;
            }
        }
        if (!allowDownload) {
            throw new DatasetException(
                    "data directory "
                            + named
                            + " does not hold Fashion-MNIST: "
                            + missingFiles(named)
                            + " missing (gzip-compressed or not); put the files there, allow the"
                            + " download, or name no data directory to search "
                            + searchPath());
        }
        try {
            download(named);
        } catch (DatasetException e) {
            throw new DatasetException(
                    "data directory "
                            + named
                            + " does not hold Fashion-MNIST ("
                            + missingFiles(named)
                            + " missing) and the download into it failed: "
                            + e.getMessage(),
                    e);
        }
        return named;
    }

    private static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (IdxFile f : IdxFile.values()) {
            if (!Files.isRegularFile(dir.resolve(f.gzName()))
                    && !Files.isRegularFile(dir.resolve(f.baseName))) {
                missing.add(f.gzName());
            }
        }
        return missing;
    }

    /**
     * Compares each file's decompressed content with the published Fashion-MNIST's SHA-256.
     *
     * @param dir a directory holding the four files
     * @param requireOfficialFiles whether a difference is an error (else a warning)
     */
    static void checkContent(Path dir, boolean requireOfficialFiles) {
        List<String> differences = new ArrayList<>();
        for (IdxFile file : IdxFile.values()) {
            Path path = fileIn(dir, file);
            String actual = contentSha256(path);
            if (!actual.equals(file.sha256)) {
                differences.add(
                        path.getFileName()
                                + " (content SHA-256 "
                                + actual
                                + ", published "
                                + file.sha256
                                + ")");
            }
        }
        if (differences.isEmpty()) {
            return;
        }
        String what =
                "Fashion-MNIST in "
                        + dir
                        + " differs from the published dataset: "
                        + String.join("; ", differences);
        if (requireOfficialFiles) {
            throw new DatasetException(
                    what
                            + ". Replace the files with the originals, or, if they were changed on"
                            + " purpose, set dataset.verifyChecksums: false to use them anyway.");
        }
        LOG.warn("{}; used anyway (checksum verification is off)", what);
    }

    /** Loads the dataset from a directory holding the four IDX files (gzip-compressed or not). */
    public static DatasetSplits loadFrom(Path dir) {
        LOG.info("loading Fashion-MNIST from {}", dir);
        ImageDataset train =
                read(
                        "fashion-mnist/train",
                        fileIn(dir, IdxFile.TRAIN_IMAGES),
                        fileIn(dir, IdxFile.TRAIN_LABELS));
        ImageDataset test =
                read(
                        "fashion-mnist/test",
                        fileIn(dir, IdxFile.TEST_IMAGES),
                        fileIn(dir, IdxFile.TEST_LABELS));
        return new DatasetSplits(train, test);
    }

    /**
     * Loads the sample shipped inside fedistill: the first 4,000 training and 1,000 test images of
     * Fashion-MNIST.
     */
    public static DatasetSplits sample() {
        ImageDataset train = readResource("fashion-mnist-sample/train", "train");
        ImageDataset test = readResource("fashion-mnist-sample/test", "t10k");
        return new DatasetSplits(train, test);
    }

    private static ImageDataset readResource(String name, String prefix) {
        String images = SAMPLE_RESOURCE + prefix + "-images-idx3-ubyte.gz";
        String labels = SAMPLE_RESOURCE + prefix + "-labels-idx1-ubyte.gz";
        InputStream imageStream = FashionMnist.class.getResourceAsStream(images);
        InputStream labelStream = FashionMnist.class.getResourceAsStream(labels);
        if (imageStream == null || labelStream == null) {
            throw new DatasetException(
                    "the embedded Fashion-MNIST sample is missing from the classpath ("
                            + images
                            + ")");
        }
        IdxReader.Images im = IdxReader.readImages(images, imageStream);
        int[] lab = IdxReader.readLabels(labels, labelStream);
        return toDataset(name, im, lab);
    }

    static ImageDataset read(String name, Path imageFile, Path labelFile) {
        return toDataset(name, IdxReader.readImages(imageFile), IdxReader.readLabels(labelFile));
    }

    private static ImageDataset toDataset(String name, IdxReader.Images images, int[] labels) {
        if (images.count() != labels.length) {
            throw new DatasetException(
                    name + ": " + images.count() + " images but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= CLASS_NAMES.size()) {
                throw new DatasetException(
                        name
                                + ": label "
                                + labels[i]
                                + " of sample "
                                + i
                                + " is not a Fashion-MNIST class (0-9)");
            }
        }
        return new ImageDataset(
                name,
                images.pixels(),
                labels,
                1,
                images.rows(),
                images.columns(),
                CLASS_NAMES.size());
    }

    private static boolean holdsAllFiles(Path dir) {
        return missingFiles(dir).isEmpty();
    }

    private static Path fileIn(Path dir, IdxFile file) {
        Path gz = dir.resolve(file.gzName());
        return Files.isRegularFile(gz) ? gz : dir.resolve(file.baseName);
    }

    private static String missingMessage() {
        StringBuilder message = new StringBuilder("Fashion-MNIST was not found. Looked in:");
        for (Path dir : searchPath()) {
            message.append("\n  ").append(dir);
        }
        message.append("\nGet it in one of these ways:")
                .append(
                        "\n  - on Debian/Ubuntu: apt-get install dataset-fashion-mnist (installs into ")
                .append(DEBIAN_DIR)
                .append(')')
                .append("\n  - download the four .gz files from ")
                .append(OFFICIAL_URL)
                .append(" into ")
                .append(userDir())
                .append("\n  - point --data-dir (or dataset.dataDir, or $")
                .append(DATA_ENV)
                .append(") at a directory holding them")
                .append("\n  - allow fedistill to download them (dataset.download: true)")
                .append("\n  - or use the embedded sample: dataset fashion-mnist-sample");
        return message.toString();
    }

    /**
     * Downloads the four files into {@code dir} with a progress bar, checking each decompressed
     * file's SHA-256 before it is moved into place.
     */
    public static void download(Path dir) {
        HttpClient client =
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(20))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
        try {
            Files.createDirectories(dir);
            for (IdxFile file : IdxFile.values()) {
                Path target = dir.resolve(file.gzName());
                if (Files.isRegularFile(target)) {
                    continue;
                }
                Path partial = dir.resolve(file.gzName() + ".part");
                HttpRequest request =
                        HttpRequest.newBuilder(URI.create(OFFICIAL_URL + file.gzName()))
                                .timeout(Duration.ofMinutes(10))
                                .build();
                HttpResponse<InputStream> response =
                        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() != 200) {
                    throw new DatasetException(
                            "GET " + request.uri() + " answered HTTP " + response.statusCode());
                }
                long length = response.headers().firstValueAsLong("content-length").orElse(-1);
                try (InputStream body = response.body();
                        OutputStream out = Files.newOutputStream(partial);
                        ProgressBar bar =
                                new ProgressBarBuilder()
                                        .setTaskName(file.gzName())
                                        .setInitialMax(length)
                                        .setStyle(ProgressBarStyle.ASCII)
                                        .setUnit("MB", 1 << 20)
                                        .build()) {
                    byte[] buffer = new byte[1 << 16];
                    int n;
                    while ((n = body.read(buffer)) > 0) {
                        out.write(buffer, 0, n);
                        bar.stepBy(n);
                    }
                }
                verify(partial, file);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new DatasetException("cannot download Fashion-MNIST into " + dir + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("download of Fashion-MNIST was interrupted", e);
        }
    }

    static void verify(Path gzFile, IdxFile file) throws IOException {
        String actual = contentSha256(gzFile);
        if (!actual.equals(file.sha256)) {
            Files.deleteIfExists(gzFile);
            throw new DatasetException(
                    file.gzName()
                            + " failed its SHA-256 check: got "
                            + actual
                            + ", expected "
                            + file.sha256);
        }
    }

    /** Returns the SHA-256 of a file's content, decompressed first when it is gzip-compressed. */
    private static String contentSha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(IdxReader.openDecompressed(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
