package dev.skyferry.queue;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * A queue the worker consumes: receive, keep invisible while working, then delete, release or
 * dead-letter. Implementations are thin adapters over one SDK client; retries, breakers and the
 * decision what to do with a message belong to the worker.
 *
 * <p>Every method throws {@link QueueException} on failure (a {@link dev.skyferry.store.StoreException},
 * so {@link dev.skyferry.resilience.FailureClassifier} judges it like a store failure).
 */
public interface MessageSource {

    /** The source's configured name, used in logs, metrics and readiness. */
    String name();

    SourceType type();

    /** How long a received message stays invisible; heartbeats extend it by this much. */
    Duration visibilityTimeout();

    /** The most messages one {@link #receive} can return (Azure 32, SQS 10). */
    int maxBatchSize();

    /**
     * Deliveries after which a failing message is dead-lettered by the worker (Azure
     * {@code maxDequeueCount}); {@link Integer#MAX_VALUE} where the queue moves such messages itself
     * (SQS redrive policy).
     */
    int maxDeliveries();

    /**
     * Receives up to {@code maxMessages} (1..{@link #maxBatchSize()}), each invisible for
     * {@link #visibilityTimeout()}. Blocks at most one poll: SQS long-polls, Azure sleeps a growing
     * interval when the queue is empty. On interrupt it returns what it has (usually nothing) with
     * the thread's interrupt flag set; it never loses a message it received.
     */
    List<ReceivedMessage> receive(int maxMessages);

    /** Keeps the message invisible for {@code timeout} from now (heartbeat). */
    void extendVisibility(ReceivedMessage message, Duration timeout);

    /** Done with it: deletes the message. */
    void delete(ReceivedMessage message);

    /** Not done: makes the message visible again after {@code delay} (zero: at once). */
    void release(ReceivedMessage message, Duration delay);

    /**
     * Moves the message to the dead-letter queue with the original text unchanged and the facts,
     * then deletes it: copy first, delete second, so a failure in between leaves a duplicate, never
     * a loss. Throws {@link QueueException} of kind UNSUPPORTED when the source has nowhere to move it.
     */
    void deadLetter(ReceivedMessage message, DeadLetterFacts facts);

    /** Approximate number of messages waiting, for the queue-depth gauge and as a health probe. */
    OptionalLong approximateDepth();
}
