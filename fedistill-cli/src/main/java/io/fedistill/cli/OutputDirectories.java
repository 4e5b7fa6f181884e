package io.fedistill.cli;

import io.fedistill.cli.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before a command does any work, that the directory it is to write into can be made: the
 * nearest part of the path that exists must be a writable directory, so a file given by mistake is
 * named in one line instead of failing deep in the run.
 */
final class OutputDirectories {
    private OutputDirectories() {}

    /**
     * Returns {@code dir} when it is, or can be created as, a writable directory.
     *
     * @param option how the message names the setting, e.g. {@code "outputDir"} or {@code "--out"}
     * @throws ConfigException naming the setting and the part of the path in the way
     */
    static Path require(Path dir, String option) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return dir;
        }
        if (!Files.isDirectory(existing)) {
            throw new ConfigException(
                    option
                            + " "
                            + dir
                            + ": "
                            + (existing.equals(dir.toAbsolutePath()) ? "it" : existing)
                            + " is a file, not a directory");
        }
        if (!Files.isWritable(existing)) {
            throw new ConfigException(
                    option + " " + dir + ": cannot write into the directory " + existing);
        }
        return dir;
    }
}
