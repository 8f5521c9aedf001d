package dev.skyferry.ops.progress;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One reading of a {@link Progress}.
 *
 * @param unit        what is counted, plural ("objects")
 * @param done        items finished, including those carried over from an earlier run
 * @param total       items expected in all, or {@link Progress#UNKNOWN}
 * @param bytes       bytes finished, including those carried over
 * @param totalBytes  bytes expected in all, or {@link Progress#UNKNOWN}
 * @param doneThisRun items finished by this run (the rate's numerator)
 * @param bytesThisRun bytes finished by this run
 * @param elapsed     time since this run started
 * @param counts      named outcome counts, in the order they first happened
 */
public record Snapshot(String unit, long done, long total, long bytes, long totalBytes, long doneThisRun,
                       long bytesThisRun, Duration elapsed, Map<String, Long> counts) {

    /** Items per second over this run; 0 before the first second's worth of time has a result. */
    public double itemsPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : doneThisRun / seconds;
    }

    public double bytesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : bytesThisRun / seconds;
    }

    /** Remaining time at this run's average rate; empty while the total or the rate is unknown. */
    public Optional<Duration> eta() {
        if (total == Progress.UNKNOWN || doneThisRun == 0) {
            return Optional.empty();
        }
        long remaining = Math.max(0, total - done);
        double rate = itemsPerSecond();
        if (rate <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis((long) Math.ceil(remaining / rate * 1000)));
    }

    /** Fraction done in [0, 1], or empty when the total is unknown. */
    public Optional<Double> fraction() {
        if (total == Progress.UNKNOWN) {
            return Optional.empty();
        }
        return Optional.of(total == 0 ? 1.0 : Math.min(1.0, (double) done / total));
    }
}
