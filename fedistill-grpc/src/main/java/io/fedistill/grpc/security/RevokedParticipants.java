package io.fedistill.grpc.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The participant ids a coordinator refuses whatever credential they present ({@code serve
 * --revoked FILE}: one id per line, blank lines and lines starting with {@code #} ignored). Read
 * from a file, the set follows it while the coordinator runs, so that an id added to the file is
 * refused at its next call and its open connection is closed; a file that cannot be read keeps the
 * ids read before. Replace the file by renaming a new one over it: a file rewritten in place can be
 * read half-written, its missing ids accepted until the next read.
 */
public final class RevokedParticipants {
    private final Supplier<Set<String>> ids;

    private RevokedParticipants(Supplier<Set<String>> ids) {
        this.ids = ids;
    }

    /** Refuses no participant by id. */
    public static RevokedParticipants none() {
        return of(Set.of());
    }

    /** Refuses the given ids, for good. */
    public static RevokedParticipants of(Set<String> ids) {
        Set<String> fixed = Set.copyOf(ids);
        return new RevokedParticipants(() -> fixed);
    }

    /**
     * Reads the ids in {@code file} and follows it.
     *
     * @throws IllegalArgumentException when the file cannot be read
     */
    public static RevokedParticipants read(Path file) {
        FollowedFile<Set<String>> followed =
                FollowedFile.read(
                        file,
                        "the list of revoked participants",
                        ids -> ids.size() + " ids",
                        RevokedParticipants::parse,
                        (next, now) -> Optional.empty());
        return new RevokedParticipants(followed::current);
    }

    private static Set<String> parse(Path file) {
        Set<String> ids = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String id = line.strip();
                if (!id.isEmpty() && !id.startsWith("#")) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return Set.copyOf(ids);
    }

    /** Returns whether the participant is refused now. */
    public boolean contains(String participantId) {
        return ids.get().contains(participantId);
    }
}
