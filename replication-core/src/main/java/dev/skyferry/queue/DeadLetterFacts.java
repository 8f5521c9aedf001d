package dev.skyferry.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * Why a message was dead-lettered, stored beside its original text so an operator can read the
 * reason and {@code skyferry replay} can put the original back.
 *
 * @param reason         stable reason code, e.g. {@code unparseable}, {@code forbidden},
 *                       {@code retries-exhausted}, {@code max-deliveries-exceeded}
 * @param attempts       deliveries so far (Azure dequeueCount / SQS ApproximateReceiveCount)
 * @param firstError     the first error this worker process saw for the message (best effort:
 *                       another replica may have seen an earlier one); equals lastError when unknown
 * @param firstErrorAt   when firstError happened
 * @param lastError      the error that ended it
 * @param deadLetteredAt when it was moved
 */
public record DeadLetterFacts(String reason, int attempts, String firstError, Instant firstErrorAt,
                              String lastError, Instant deadLetteredAt) {

    public DeadLetterFacts {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
        firstError = firstError == null ? lastError : firstError;
        firstErrorAt = firstErrorAt == null ? deadLetteredAt : firstErrorAt;
    }
}
