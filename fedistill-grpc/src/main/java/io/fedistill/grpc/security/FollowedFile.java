package io.fedistill.grpc.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value read from a file that a long-running process follows: each {@link #current} compares the
 * file's identity (its inode where the file system has one), modification time and size with those
 * it last read, and reads the file again when they changed. A changed file that cannot be read or
 * parsed, or whose value may not replace the one in force, is logged once per change and ignored:
 * the value read before stays in force. Revocations (the authority's list, refused participant ids)
 * use it so that they take effect without a restart.
 *
 * @param <T> what the file holds
 */
final class FollowedFile<T> {
    private static final Logger LOG = LoggerFactory.getLogger(FollowedFile.class);

    /** The file's identity, modification time and size. */
    private record Stamp(Object key, FileTime modified, long size) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes attributes =
                        Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(
                        attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
            } catch (IOException e) {
                return MISSING;
            }
        }
    }

    /** The stamp of a file that cannot be read (gone or unreadable). */
    private static final Stamp MISSING = new Stamp(null, FileTime.fromMillis(0), -1);

    private record Read<T>(T value, Stamp stamp) {}

    private final Path file;
    private final String what;
    private final Function<T, String> describe;
    private final Function<Path, T> parse;
    private final BiFunction<T, T, Optional<String>> refusal;
    private volatile Read<T> inForce;
    private volatile Stamp ignored;

    private FollowedFile(
            Path file,
            String what,
            Function<T, String> describe,
            Function<Path, T> parse,
            BiFunction<T, T, Optional<String>> refusal,
            Read<T> inForce) {
        this.file = file;
        this.what = what;
        this.describe = describe;
        this.parse = parse;
        this.refusal = refusal;
        this.inForce = inForce;
    }

    /**
     * Reads the file now and follows it from then on.
     *
     * @param file the file
     * @param what what it holds, for the log ("the revocation list")
     * @param describe describes a value for the log ("number 3, 2 certificates revoked")
     * @param parse reads the file, throwing an exception whose message names what is wrong
     * @param refusal says why a newly read value (first argument) may not replace the one in force
     *     (second), or empty when it may
     * @throws IllegalArgumentException when the file cannot be read or parsed now
     */
    static <T> FollowedFile<T> read(
            Path file,
            String what,
            Function<T, String> describe,
            Function<Path, T> parse,
            BiFunction<T, T, Optional<String>> refusal) {
        Stamp stamp = Stamp.of(file);
        if (stamp == MISSING) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        return new FollowedFile<>(
                file,
                what,
                Objects.requireNonNull(describe),
                Objects.requireNonNull(parse),
                Objects.requireNonNull(refusal),
                new Read<>(parse.apply(file), stamp));
    }

    /** Returns the value in force, having read the file again if it changed. */
    T current() {
        Read<T> now = inForce;
        Stamp stamp = Stamp.of(file);
        if (stamp.equals(now.stamp()) || stamp.equals(ignored)) {
            return now.value();
        }
        synchronized (this) {
            now = inForce;
            stamp = Stamp.of(file); // another thread may have read it meanwhile
            if (stamp.equals(now.stamp()) || stamp.equals(ignored)) {
                return now.value();
            }
            try {
                if (stamp == MISSING) {
                    throw new IllegalArgumentException("cannot read " + file);
                }
                T next = parse.apply(file);
                Optional<String> refused = refusal.apply(next, now.value());
                if (refused.isPresent()) {
                    throw new IllegalArgumentException(refused.get());
                }
                inForce = new Read<>(next, stamp);
                ignored = null;
                LOG.info("{} in {} read again: {}", what, file, describe.apply(next));
                return next;
            } catch (RuntimeException e) {
                ignored = stamp;
                LOG.warn(
                        "{}; {} read before stays in force ({})",
                        e.getMessage(),
                        what,
                        describe.apply(now.value()));
                return now.value();
            }
        }
    }
}
