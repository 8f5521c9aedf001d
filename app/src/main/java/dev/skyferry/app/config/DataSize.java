package dev.skyferry.app.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A byte count written the human way in config: {@code 8MiB}, {@code 256 MiB}, {@code 1GiB}, {@code 4096}. */
public record DataSize(long bytes) {

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?");

    public static DataSize ofMebibytes(long mib) {
        return new DataSize(mib * 1024 * 1024);
    }

    /** @throws IllegalArgumentException naming the bad value and the accepted forms */
    public static DataSize parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; use a whole number with B, KiB, MiB, GiB or TiB, e.g. 8MiB");
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "B" -> 0;
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 40;
        };
        if (shift > 0 && number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return new DataSize(number << shift);
    }

    @Override
    public String toString() {
        for (String unit : new String[] {"TiB", "GiB", "MiB", "KiB"}) {
            int shift = switch (unit) { case "TiB" -> 40; case "GiB" -> 30; case "MiB" -> 20; default -> 10; };
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + unit;
            }
        }
        return bytes + "B";
    }

}
