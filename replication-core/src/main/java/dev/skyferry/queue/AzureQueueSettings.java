package dev.skyferry.queue;

import dev.skyferry.resilience.SettingsValidation;
import java.time.Duration;

/**
 * One {@code type: azure-queue} source.
 *
 * @param name              the source's name from config
 * @param visibilityTimeout how long a received message stays invisible (1 s – 7 days); heartbeats
 *                          renew it every third of it while the message is being worked on
 * @param maxDequeueCount   deliveries after which a failing message goes to the poison queue
 * @param minPollInterval   wait after the first empty receive; doubles per empty receive
 * @param maxPollInterval   cap on that wait: the longest an idle queue's new message waits unseen
 */
public record AzureQueueSettings(String name, Duration visibilityTimeout, int maxDequeueCount,
                                 Duration minPollInterval, Duration maxPollInterval) {

    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(60);
    /** The Azure Functions convention. */
    public static final int DEFAULT_MAX_DEQUEUE_COUNT = 5;
    public static final Duration DEFAULT_MIN_POLL_INTERVAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofSeconds(10);
    static final Duration LONGEST_VISIBILITY_TIMEOUT = Duration.ofDays(7);

    public static final int MOST_DEQUEUES = 1_000;

    public AzureQueueSettings {
        SettingsValidation.of("azure-queue source settings")
                .notBlank(name, "name")
                .notNull(visibilityTimeout, "visibilityTimeout")
                .check(visibilityTimeout == null || visibilityTimeout.compareTo(Duration.ofSeconds(1)) >= 0,
                        "visibilityTimeout must be ≥ 1s, was " + visibilityTimeout)
                .atMost(visibilityTimeout, LONGEST_VISIBILITY_TIMEOUT, "visibilityTimeout", "Azure Queue limit")
                .between(maxDequeueCount, 1, MOST_DEQUEUES, "maxDequeueCount")
                .notNull(minPollInterval, "minPollInterval")
                .positive(minPollInterval, "minPollInterval")
                .notNull(maxPollInterval, "maxPollInterval")
                .check(minPollInterval == null || maxPollInterval == null || maxPollInterval.compareTo(minPollInterval) >= 0,
                        "maxPollInterval must be ≥ minPollInterval (" + minPollInterval + "), was " + maxPollInterval)
                .orThrow();
    }

    public AzureQueueSettings(String name, Duration visibilityTimeout, int maxDequeueCount) {
        this(name, visibilityTimeout, maxDequeueCount, DEFAULT_MIN_POLL_INTERVAL, DEFAULT_MAX_POLL_INTERVAL);
    }
}
