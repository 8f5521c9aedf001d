package dev.skyferry.ops.backfill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.skyferry.ops.diff.PairedListing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A backfill's progress in a local file, written after every fully handled listing page, so a
 * re-run after a kill continues where it stopped instead of listing (and checking) everything again.
 * One file can hold several pairs ({@code photos azure-to-s3}, {@code photos s3-to-azure}).
 *
 * <p>Written to a temporary file and moved into place atomically: a kill mid-write leaves the
 * previous checkpoint intact. Holds listing continuation tokens, which are opaque to us and
 * valid for the stores' own retention (S3 and Azure both accept them long after issue).
 */
public final class Checkpoint {

    static final int VERSION = 1;
    /** Objects that failed are retried first by the next run; beyond this many the run says to start over. */
    public static final int MAX_RETRY_KEYS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, PairState> pairs;

    private Checkpoint(Path file, Map<String, PairState> pairs) {
        this.file = file;
        this.pairs = pairs;
    }

    /**
     * The progress stored in {@code file}, or none yet when it does not exist. Null {@code file}
     * means no checkpointing at all (state kept in memory only).
     */
    public static Checkpoint open(Path file) {
        if (file == null || !Files.exists(file)) {
            return new Checkpoint(file, new TreeMap<>());
        }
        try {
            Stored stored = JSON.readValue(file.toFile(), Stored.class);
            if (stored.version() != VERSION) {
                throw new IllegalArgumentException("checkpoint " + file + " has version " + stored.version()
                        + ", this skyferry writes version " + VERSION + "; delete it to start over");
            }
            return new Checkpoint(file, new TreeMap<>(stored.pairs() == null ? Map.of() : stored.pairs()));
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + " is not readable (" + e.getMessage()
                    + "); delete it to start over", e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The stored state of a pair, or a fresh one. Refuses a state written for other stores under the
     * same name: resuming someone else's listing position would skip objects.
     */
    public synchronized PairState state(String pairName, String sourceLocation, String targetLocation) {
        PairState state = pairs.get(pairName);
        if (state == null) {
            return PairState.fresh(sourceLocation, targetLocation);
        }
        if (!state.source().equals(sourceLocation) || !state.target().equals(targetLocation)) {
            throw new IllegalArgumentException("checkpoint " + file + " holds '" + pairName + "' for "
                    + state.source() + " → " + state.target() + ", not " + sourceLocation + " → " + targetLocation
                    + "; use another --checkpoint file or delete this one");
        }
        return state;
    }

    /** Stores a pair's state and writes the whole file. */
    public synchronized void save(String pairName, PairState state) {
        pairs.put(pairName, state);
        if (file == null) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try {
                JSON.writeValue(temp.toFile(), new Stored(VERSION, new LinkedHashMap<>(pairs)));
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint " + file, e);
        }
    }

    record Stored(int version, Map<String, PairState> pairs) {}

    /**
     * @param source      the source location this state belongs to
     * @param target      the target location
     * @param position    where the listing stands
     * @param pagesDone   listing pages fully handled
     * @param objectsDone objects listed and handled
     * @param bytesDone   their bytes
     * @param counts      outcome counts so far
     * @param retryKeys   source keys that failed; the next run retries them first
     * @param updatedAt   when this state was written (ISO-8601), for people reading the file
     */
    public record PairState(String source, String target, PairedListing.Position position, long pagesDone,
                            long objectsDone, long bytesDone, Map<String, Long> counts, List<String> retryKeys,
                            String updatedAt) {

        public PairState {
            counts = counts == null ? Map.of() : new TreeMap<>(counts);
            retryKeys = retryKeys == null ? List.of() : List.copyOf(retryKeys);
        }

        static PairState fresh(String source, String target) {
            return new PairState(source, target, PairedListing.Position.START, 0, 0, 0, Map.of(), List.of(), null);
        }

        /** The listing has ended and nothing waits for a retry. */
        public boolean complete() {
            return position.sourceDone() && retryKeys.isEmpty();
        }
    }
}
