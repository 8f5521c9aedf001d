package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the worker's JSON log for its per-replica lines, written by the worker right after the
 * replica was verified ({@code dev.skyferry.worker.Worker}):
 * <pre>{"@timestamp":"…","level":"INFO","message":"replicated s3://b/lag/s2a/00001.bin (created): copied 16384 bytes,
 *   received 2025-…Z, copied and verified in 12 ms","object":"…",…}</pre>
 * The line's {@code @timestamp} (millisecond resolution, the host's wall clock, as the driver's) is
 * the end instant of an event's lag.
 */
final class LagWorkerLog {

    static final Pattern REPLICATED = Pattern.compile(
            "^replicated \\S+ \\(\\w+\\): [\\w-]+ \\d+ bytes, received (\\S+), copied and verified in (\\d+) ms$");

    /** One replica as the worker reported it. */
    record Replicated(String key, Instant verifiedAt, Instant receivedAt, long copyMillis) {}

    private final Path log;
    private final Pattern benchKey;

    /** @param keyPrefix only keys under it are read (the load's prefix) */
    LagWorkerLog(Path log, String keyPrefix) {
        this.log = log;
        this.benchKey = Pattern.compile("(" + Pattern.quote(keyPrefix) + "/(?:a2s|s2a)/\\d+\\.bin) \\(");
    }

    /** Every key under the prefix the worker reported replicated, first report per key (a key is written once). */
    Map<String, Replicated> replicated() {
        ObjectMapper json = new ObjectMapper();
        Map<String, Replicated> byKey = new HashMap<>();
        for (String line : lines()) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode entry;
            try {
                entry = json.readTree(line);
            } catch (IOException e) {
                continue; // a line cut short while the worker is still writing it
            }
            String message = entry.path("message").asText();
            Matcher replicated = REPLICATED.matcher(message);
            Matcher key = benchKey.matcher(message);
            if (replicated.matches() && key.find()) {
                byKey.putIfAbsent(key.group(1), new Replicated(key.group(1),
                        OffsetDateTime.parse(entry.path("@timestamp").asText()).toInstant(),
                        Instant.parse(replicated.group(1)), Long.parseLong(replicated.group(2))));
            }
        }
        return byKey;
    }

    /** WARN and ERROR lines, for the report: a clean run has none. */
    List<String> warnings() {
        ObjectMapper json = new ObjectMapper();
        return lines().stream().filter(line -> line.startsWith("{")).map(line -> {
            try {
                JsonNode entry = json.readTree(line);
                String level = entry.path("level").asText();
                return level.equals("WARN") || level.equals("ERROR") ? level + " " + entry.path("message").asText() : null;
            } catch (IOException e) {
                return null;
            }
        }).filter(java.util.Objects::nonNull).toList();
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
