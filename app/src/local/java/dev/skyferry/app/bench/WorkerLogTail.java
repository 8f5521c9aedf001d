package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the worker's JSON log from where it stood when created, counting the {@code replicated}
 * lines per direction (the worker writes one per verified replica) and the dead-lettered messages.
 * The bench watches a pass this way rather than by scraping the worker's {@code /metrics}: a scrape
 * every second cost the worker about 1 % of a core, reading the log costs it nothing.
 */
final class WorkerLogTail {

    private static final String REPLICATED_PREFIX = "\"message\":\"replicated ";
    private static final String DEAD_LETTERED_PREFIX = "\"message\":\"dead-lettered ";

    private final Path log;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Direction, Long> replicated = new EnumMap<>(Direction.class);
    private long offset;
    private long deadLettered;
    private String firstDeadLetter;
    private Instant lastReplicatedAt;

    private WorkerLogTail(Path log, long offset) {
        this.log = log;
        this.offset = offset;
    }

    /** A tail that sees only the lines written from now on. */
    static WorkerLogTail fromNow(Path log) {
        return new WorkerLogTail(log, log.toFile().length());
    }

    /** Reads the complete lines written since the last call. */
    void read() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return;
            }
            byte[] added = new byte[Math.toIntExact(length - offset)];
            file.seek(offset);
            file.readFully(added);
            int lineStart = 0;
            for (int i = 0; i < added.length; i++) {
                if (added[i] == '\n') {
                    take(new String(added, lineStart, i - lineStart, StandardCharsets.UTF_8));
                    lineStart = i + 1;
                }
            }
            offset += lineStart; // a line still being written is read whole next time
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
    }

    private void take(String line) throws IOException {
        if (line.contains(DEAD_LETTERED_PREFIX)) {
            deadLettered++;
            if (firstDeadLetter == null) {
                firstDeadLetter = json.readTree(line).path("message").asText();
            }
            return;
        }
        if (!line.contains(REPLICATED_PREFIX)) {
            return;
        }
        JsonNode entry = json.readTree(line);
        String message = entry.path("message").asText();
        if (!LagWorkerLog.REPLICATED.matcher(message).matches()) {
            return;
        }
        // "replicated s3://bucket/key (created): ..." — an S3 source means S3 → Azure.
        Direction direction = message.startsWith("replicated s3://") ? Direction.S3_TO_AZURE : Direction.AZURE_TO_S3;
        replicated.merge(direction, 1L, Long::sum);
        Instant at = OffsetDateTime.parse(entry.path("@timestamp").asText()).toInstant();
        lastReplicatedAt = lastReplicatedAt == null || at.isAfter(lastReplicatedAt) ? at : lastReplicatedAt;
    }

    long replicated(Direction direction) {
        return replicated.getOrDefault(direction, 0L);
    }

    long deadLettered() {
        return deadLettered;
    }

    /** The first dead-lettered message's log text, for the error a failed pass throws. */
    Optional<String> firstDeadLetter() {
        return Optional.ofNullable(firstDeadLetter);
    }

    /** The timestamp of the last {@code replicated} line read; empty when there was none. */
    Optional<Instant> lastReplicatedAt() {
        return Optional.ofNullable(lastReplicatedAt);
    }
}
