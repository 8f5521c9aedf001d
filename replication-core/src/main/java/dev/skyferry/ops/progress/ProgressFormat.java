package dev.skyferry.ops.progress;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Turns a {@link Snapshot} into text: a one-line bar for terminals and a plain line for logs. */
public final class ProgressFormat {

    private static final int MIN_BAR_WIDTH = 10;

    private ProgressFormat() {}

    /**
     * A bar that fits in {@code columns}, e.g.
     * {@code [########------------]  40%  4,000/10,000 objects  3.9 MiB  512/s  ETA 0:12}.
     * Without a known total: items, bytes, rate and elapsed time, no bar.
     */
    public static String bar(Snapshot s, int columns) {
        String stats = stats(s, true);
        if (s.fraction().isEmpty()) {
            return fit(stats, columns);
        }
        double fraction = s.fraction().get();
        String percent = String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
        int barWidth = columns - stats.length() - percent.length() - 5;
        if (barWidth < MIN_BAR_WIDTH) {
            return fit(percent + "  " + stats, columns);
        }
        int filled = (int) Math.floor(fraction * barWidth);
        return "[" + "#".repeat(filled) + "-".repeat(barWidth - filled) + "] " + percent + "  " + stats;
    }

    /** A plain line for non-interactive output, with the outcome counts, e.g. for CI logs. */
    public static String line(String what, Snapshot s) {
        StringBuilder line = new StringBuilder(what).append(": ");
        line.append(number(s.done()));
        if (s.total() != Progress.UNKNOWN) {
            line.append('/').append(number(s.total()));
        }
        line.append(' ').append(s.unit());
        s.fraction().ifPresent(f -> line.append(String.format(Locale.ROOT, " (%.1f%%)", f * 100)));
        if (s.bytes() > 0) {
            line.append(", ").append(bytes(s.bytes()));
        }
        line.append(", ").append(rate(s.itemsPerSecond())).append(' ').append(s.unit()).append("/s");
        s.eta().ifPresent(eta -> line.append(", ETA ").append(duration(eta)));
        line.append(", elapsed ").append(duration(s.elapsed()));
        if (!s.counts().isEmpty()) {
            line.append("; ").append(counts(s.counts()));
        }
        return line.toString();
    }

    /** {@code moved=12 failed=1}, in the order the outcomes first happened. */
    public static String counts(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String stats(Snapshot s, boolean withEta) {
        StringBuilder text = new StringBuilder(number(s.done()));
        if (s.total() != Progress.UNKNOWN) {
            text.append('/').append(number(s.total()));
        }
        text.append(' ').append(s.unit());
        if (s.bytes() > 0) {
            text.append("  ").append(bytes(s.bytes()));
        }
        text.append("  ").append(rate(s.itemsPerSecond())).append("/s");
        if (s.bytesThisRun() > 0) {
            text.append("  ").append(bytes((long) s.bytesPerSecond())).append("/s");
        }
        if (withEta) {
            text.append(s.eta().map(eta -> "  ETA " + duration(eta)).orElse("  " + duration(s.elapsed())));
        }
        return text.toString();
    }

    private static String fit(String text, int columns) {
        return text.length() <= columns ? text : text.substring(0, Math.max(0, columns));
    }

    /** 1234567 → {@code 1,234,567}. */
    public static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Binary units, one decimal: {@code 3.9 MiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String rate(double perSecond) {
        return perSecond >= 100 ? String.format(Locale.ROOT, "%,.0f", perSecond)
                : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    /** {@code 0:37}, {@code 12:05}, {@code 3:02:11}. */
    public static String duration(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long sec = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
