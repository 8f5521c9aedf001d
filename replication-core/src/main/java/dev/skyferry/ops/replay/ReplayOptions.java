package dev.skyferry.ops.replay;

import java.time.Duration;

/**
 * @param filter        which dead letters to take
 * @param limit         take at most this many; null for no limit
 * @param ratePerSecond deliver at most this many per second (fractions allowed: 0.5 is one every two
 *                      seconds); null for as fast as the destination takes them
 * @param dryRun        list what would be taken and why it failed, move nothing
 */
public record ReplayOptions(ReplayFilter filter, Long limit, Double ratePerSecond, boolean dryRun) {

    /** Deliveries failing in a row before the run stops: the destination is down, not the messages bad. */
    public static final int MAX_CONSECUTIVE_FAILURES = 10;

    public ReplayOptions {
        filter = filter == null ? ReplayFilter.ALL : filter;
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (ratePerSecond != null && !(ratePerSecond > 0 && ratePerSecond <= 10_000)) {
            throw new IllegalArgumentException("rate must be within (0, 10000] per second, was " + ratePerSecond);
        }
    }

    public static ReplayOptions all() {
        return new ReplayOptions(ReplayFilter.ALL, null, null, false);
    }

    /** The rate limiter's refresh period and permits for {@link #ratePerSecond}. */
    Duration ratePeriod() {
        return ratePerSecond >= 1 ? Duration.ofSeconds(1) : Duration.ofNanos((long) (1e9 / ratePerSecond));
    }

    int permitsPerPeriod() {
        return ratePerSecond >= 1 ? (int) Math.floor(ratePerSecond) : 1;
    }
}
