package dev.skyferry.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Sample payloads under {@code src/test/resources/events/}. */
public final class Samples {

    private Samples() {}

    public static String read(String path) {
        try (InputStream in = Samples.class.getResourceAsStream("/events/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As Event Grid's queue handler writes it: the JSON, base64-encoded. */
    public static String base64(String path) {
        return Base64.getEncoder().encodeToString(read(path).getBytes(StandardCharsets.UTF_8));
    }
}
