package dev.skyferry.worker;

import dev.skyferry.resilience.SettingsValidation;
import java.time.Duration;

/**
 * How the worker runs. Redelivery delays come from the {@code RetrySettings} of the
 * {@code ResilientCalls} it is given.
 *
 * @param maxCopiesInFlight {@code copy.maxCopiesInFlight}: messages worked on at once, over all
 *                          sources; at least the number of sources, so each can always make progress
 * @param drainGrace        {@code worker.drainGrace}: on stop, how long in-flight work may finish
 * @param releaseTimeout    after the grace, how long interrupted work gets to abort its writes and
 *                          release its messages; drainGrace + releaseTimeout must stay below the
 *                          platform's kill deadline (Kubernetes terminationGracePeriodSeconds)
 * @param healthInterval    how often queue depth and the health probes are refreshed
 */
public record WorkerSettings(int maxCopiesInFlight, Duration drainGrace, Duration releaseTimeout, Duration healthInterval) {

    public static final int DEFAULT_MAX_COPIES_IN_FLIGHT = 16;
    public static final Duration DEFAULT_DRAIN_GRACE = Duration.ofSeconds(25);
    public static final Duration DEFAULT_RELEASE_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(30);

    public static final WorkerSettings DEFAULTS = new WorkerSettings(DEFAULT_MAX_COPIES_IN_FLIGHT,
            DEFAULT_DRAIN_GRACE, DEFAULT_RELEASE_TIMEOUT, DEFAULT_HEALTH_INTERVAL);

    public static final int MOST_COPIES_IN_FLIGHT = 100_000;

    public WorkerSettings {
        SettingsValidation.of("worker settings")
                .between(maxCopiesInFlight, 1, MOST_COPIES_IN_FLIGHT, "maxCopiesInFlight")
                .notNull(drainGrace, "drainGrace")
                .notNegative(drainGrace, "drainGrace")
                .notNull(releaseTimeout, "releaseTimeout")
                .notNegative(releaseTimeout, "releaseTimeout")
                .notNull(healthInterval, "healthInterval")
                .positive(healthInterval, "healthInterval")
                .orThrow();
    }

    public WorkerSettings(int maxCopiesInFlight, Duration drainGrace) {
        this(maxCopiesInFlight, drainGrace, DEFAULT_RELEASE_TIMEOUT, DEFAULT_HEALTH_INTERVAL);
    }
}
