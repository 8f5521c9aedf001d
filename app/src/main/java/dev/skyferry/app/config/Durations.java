package dev.skyferry.app.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the human way in config: {@code 250ms}, {@code 30s}, {@code 15m}, {@code 12h}; ISO-8601 too. */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** @throws IllegalArgumentException naming the bad value and the accepted forms */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        Matcher m = FORMAT.matcher(trimmed);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(trimmed);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use a whole number with ms, s, m, h or d, e.g. 30s");
        }
    }
}
