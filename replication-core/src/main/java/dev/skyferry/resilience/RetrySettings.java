package dev.skyferry.resilience;

import java.time.Duration;

/**
 * {@code retry.*} from docs/configuration.md: the in-process retry of each store call, and the queue
 * redelivery delay once those retries are spent.
 *
 * @param maxAttempts        attempts per store call, the first included
 * @param initialBackoff     wait before the first retry; doubles per retry, with ±50 % jitter
 * @param maxBackoff         cap on one wait; a Retry-After longer than this is not waited for in
 *                           process (the message is released instead, to come back later)
 * @param redeliveryDelay    visibility delay of a message released after its first delivery
 * @param maxRedeliveryDelay cap on that delay, which doubles per delivery
 */
public record RetrySettings(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                            Duration redeliveryDelay, Duration maxRedeliveryDelay) {

    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REDELIVERY_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_REDELIVERY_DELAY = Duration.ofMinutes(15);
    /** SQS cannot hide a message for longer (ChangeMessageVisibility); Azure allows 7 days. */
    public static final Duration LONGEST_REDELIVERY_DELAY = Duration.ofHours(12);

    /** At most this many attempts of one call: beyond it a "retry" is an outage, which the breaker handles. */
    public static final int MOST_ATTEMPTS = 100;

    public static final RetrySettings DEFAULTS = new RetrySettings(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF,
            DEFAULT_MAX_BACKOFF, DEFAULT_REDELIVERY_DELAY, DEFAULT_MAX_REDELIVERY_DELAY);

    public RetrySettings {
        SettingsValidation.of("retry settings")
                .between(maxAttempts, 1, MOST_ATTEMPTS, "maxAttempts")
                .notNull(initialBackoff, "initialBackoff")
                .positive(initialBackoff, "initialBackoff")
                .notNull(maxBackoff, "maxBackoff")
                .positive(maxBackoff, "maxBackoff")
                .check(initialBackoff == null || maxBackoff == null || maxBackoff.compareTo(initialBackoff) >= 0,
                        "maxBackoff must be ≥ initialBackoff (" + initialBackoff + "), was " + maxBackoff)
                .notNull(redeliveryDelay, "redeliveryDelay")
                .notNegative(redeliveryDelay, "redeliveryDelay")
                .notNull(maxRedeliveryDelay, "maxRedeliveryDelay")
                .notNegative(maxRedeliveryDelay, "maxRedeliveryDelay")
                .atMost(maxRedeliveryDelay, LONGEST_REDELIVERY_DELAY, "maxRedeliveryDelay", "SQS visibility limit")
                .check(redeliveryDelay == null || maxRedeliveryDelay == null || maxRedeliveryDelay.compareTo(redeliveryDelay) >= 0,
                        "maxRedeliveryDelay must be ≥ redeliveryDelay (" + redeliveryDelay + "), was " + maxRedeliveryDelay)
                .orThrow();
    }

    /**
     * The visibility delay for a message released after its {@code receiveCount}-th delivery:
     * {@code redeliveryDelay × 2^(receiveCount-1)}, capped at {@code maxRedeliveryDelay}. Deterministic
     * (no jitter): deliveries of one message are already spread by the queue.
     */
    public Duration redeliveryDelay(int receiveCount) {
        int doublings = Math.max(0, receiveCount - 1);
        Duration delay = redeliveryDelay;
        for (int i = 0; i < doublings && delay.compareTo(maxRedeliveryDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRedeliveryDelay) > 0 ? maxRedeliveryDelay : delay;
    }
}
