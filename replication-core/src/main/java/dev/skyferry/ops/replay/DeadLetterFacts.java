package dev.skyferry.ops.replay;

import java.time.Instant;

/**
 * Why and when a message was dead-lettered, as far as the dead-letter form records it. Every field
 * may be null: a message moved by an SQS redrive policy carries no reason, an Azure poison message
 * moved by something other than Skyferry carries no envelope.
 *
 * @param reason          a short stable code: the worker's outcome reason, Event Grid's
 *                        {@code deadLetterReason}, or {@link #REDRIVE_POLICY} / {@link #UNKNOWN}
 * @param detail          the last error in words
 * @param attempts        deliveries or dequeues before it was dead-lettered
 * @param firstFailure    when handling it first failed
 * @param deadLetteredAt  when it was moved aside; the reference for the age filters
 */
public record DeadLetterFacts(String reason, String detail, Integer attempts, Instant firstFailure,
                              Instant deadLetteredAt) {

    /** Reason given to SQS DLQ messages without Skyferry's attributes: the queue's redrive policy moved them. */
    public static final String REDRIVE_POLICY = "redrive-policy";
    /** Reason given to dead letters that carry no reason at all. */
    public static final String UNKNOWN = "unknown";

    public DeadLetterFacts {
        reason = reason == null || reason.isBlank() ? UNKNOWN : reason;
    }
}
