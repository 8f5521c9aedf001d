package dev.skyferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skyferry.ack.Outcome;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.queue.QueueException;
import dev.skyferry.queue.SourceType;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the worker settles a message when its dead-letter move, heartbeat, delete or processor fails. */
class WorkerSettlementFailuresTest {

    private static final RetrySettings RETRY = new RetrySettings(2, Duration.ofMillis(1), Duration.ofMillis(10),
            Duration.ofMillis(100), Duration.ofMillis(400));
    private static final Outcome REPLICATED = new Outcome.Replicated("copied", 3, Duration.ofMillis(7),
            URI.create("s3://photos-backup/a"));

    private final List<Worker> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(worker -> worker.stop(Duration.ZERO));
    }

    private void start(EventProcessor processor, InMemoryQueue queue) {
        Worker worker = Worker.builder()
                .settings(new WorkerSettings(4, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(50)))
                .calls(new ResilientCalls(RETRY, new EndpointBreakers(CircuitBreakerSettings.DEFAULTS), RetryObserver.NONE))
                .processor(processor)
                .source(queue, TestEvents.parser(StoreKind.AZURE_BLOB))
                .build();
        workers.add(worker);
        worker.start();
    }

    /** Worker.deadLetter: "If a dead-letter move itself fails, the message is released ... nothing is deleted". */
    @Test
    void aMessageThatCannotBeDeadLetteredIsReleasedForLaterNeverDeleted() {
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofSeconds(30), 5,
                new InMemoryQueue.Ledger(4));
        queue.failNextDeadLetters.add(new QueueException(StoreException.Kind.FORBIDDEN, 403,
                "AuthorizationPermissionMismatch", "the poison queue refused the message", null, null));
        String id = queue.send("copy:a");

        start(event -> new Outcome.DeadLetter("forbidden", "403 AccessDenied on a", null), queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.releases.isEmpty() || !queue.deleted.isEmpty());
        assertThat(queue.deleted).as("a message that is safely nowhere else is never deleted").isEmpty();
        assertThat(queue.releases.getFirst()).isEqualTo(RETRY.maxRedeliveryDelay());
        assertThat(queue.deliveries(id)).as("still in the queue").isEqualTo(1);
    }

    /** Heartbeat: "A transient failure is tried again at the next beat". */
    @Test
    void aHeartbeatThatFailsOnceTransientlyKeepsTheMessageInvisibleSoItIsCopiedOnce() {
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofMillis(300), 5,
                new InMemoryQueue.Ledger(8));
        queue.failNextExtensions.add(new QueueException(StoreException.Kind.THROTTLED, 503, "ServerBusy",
                "the queue is busy", null, null));
        AtomicInteger processed = new AtomicInteger();
        EventProcessor slowCopy = event -> {
            processed.incrementAndGet();
            try {
                Thread.sleep(1_500); // five visibility timeouts
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return REPLICATED;
        };
        String id = queue.send("copy:big");

        start(slowCopy, queue);
        start(slowCopy, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.deleted.contains(id));
        assertThat(processed).as("copied once though one beat failed").hasValue(1);
    }

    /** ResilientCalls.callPastBreaker: settling calls are retried like any other call. */
    @Test
    void aThrottledDeleteIsRetriedAtOnceInsteadOfLeavingTheMessageForRedelivery() {
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofSeconds(30), 5,
                new InMemoryQueue.Ledger(4));
        queue.failNextDeletes.add(new QueueException(StoreException.Kind.THROTTLED, 503, "ServerBusy",
                "the queue is busy", null, null));
        AtomicInteger processed = new AtomicInteger();
        String id = queue.send("copy:a");

        start(event -> {
            processed.incrementAndGet();
            return REPLICATED;
        }, queue);

        await().atMost(Duration.ofSeconds(5)).until(() -> queue.deleted.contains(id));
        assertThat(processed).hasValue(1);
    }

    /** Worker.process: a processor that returns no outcome is a bug; its message must not be acknowledged. */
    @Test
    void aProcessorThatReturnsNoOutcomeDoesNotGetItsMessageDeleted() {
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofSeconds(30), 5,
                new InMemoryQueue.Ledger(4));
        queue.send("copy:a");

        start(event -> null, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.releases.isEmpty() || !queue.deleted.isEmpty());
        assertThat(queue.deleted).isEmpty();
    }

    /** Worker.process: a processor that throws a transient failure gets its message released, not dead-lettered. */
    @Test
    void aProcessorThatThrowsATransientFailureGetsItsMessageReleased() {
        InMemoryQueue queue = new InMemoryQueue("azure-events", SourceType.AZURE_QUEUE, Duration.ofSeconds(30), 5,
                new InMemoryQueue.Ledger(4));
        queue.send("copy:a");

        start(event -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("connection reset"));
        }, queue);

        await().atMost(Duration.ofSeconds(10)).until(() -> !queue.releases.isEmpty() || !queue.deadLettered.isEmpty());
        assertThat(queue.deadLettered).isEmpty();
    }
}
