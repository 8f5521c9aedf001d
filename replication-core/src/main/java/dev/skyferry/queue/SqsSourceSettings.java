package dev.skyferry.queue;

import dev.skyferry.resilience.SettingsValidation;
import java.time.Duration;

/**
 * One {@code type: sqs} source.
 *
 * @param name               the source's name from config
 * @param queueUrl           the queue to consume
 * @param deadLetterQueueUrl where permanent failures are sent; null to use the queue's redrive
 *                           policy target (looked up on first need), if it has one
 * @param visibilityTimeout  how long a received message stays invisible (1 s – 12 h); heartbeats
 *                           renew it every third of it, within SQS's 12 h cap from receipt
 * @param waitTime           long-poll wait of one receive (0–20 s); 20 s is cheapest and fastest
 */
public record SqsSourceSettings(String name, String queueUrl, String deadLetterQueueUrl,
                                Duration visibilityTimeout, Duration waitTime) {

    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_WAIT_TIME = Duration.ofSeconds(20);
    /** SQS keeps a received message invisible for at most 12 hours in total. */
    public static final Duration VISIBILITY_CAP = Duration.ofHours(12);

    public SqsSourceSettings {
        SettingsValidation.of("sqs source settings")
                .notBlank(name, "name")
                .notBlank(queueUrl, "queueUrl")
                .check(deadLetterQueueUrl == null || !deadLetterQueueUrl.isBlank(), "deadLetterQueueUrl must not be blank when set")
                .check(deadLetterQueueUrl == null || !deadLetterQueueUrl.equals(queueUrl),
                        "deadLetterQueueUrl must differ from queueUrl, was " + deadLetterQueueUrl)
                .notNull(visibilityTimeout, "visibilityTimeout")
                .check(visibilityTimeout == null || visibilityTimeout.compareTo(Duration.ofSeconds(1)) >= 0,
                        "visibilityTimeout must be ≥ 1s, was " + visibilityTimeout)
                .atMost(visibilityTimeout, VISIBILITY_CAP, "visibilityTimeout", "SQS limit")
                .notNull(waitTime, "waitTime")
                .notNegative(waitTime, "waitTime")
                .atMost(waitTime, Duration.ofSeconds(20), "waitTime", "SQS long-poll limit")
                .orThrow();
    }

    public SqsSourceSettings(String name, String queueUrl, String deadLetterQueueUrl, Duration visibilityTimeout) {
        this(name, queueUrl, deadLetterQueueUrl, visibilityTimeout, DEFAULT_WAIT_TIME);
    }
}
