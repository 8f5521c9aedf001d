package dev.skyferry.app.bench;

import com.azure.storage.queue.QueueClient;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.testkit.Emulators;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Plays Event Grid (to an Azure queue, base64 as Event Grid writes) and S3 notifications (to SQS): one
 * event per object, sent invisible (Azure's initial visibility timeout, SQS {@code DelaySeconds}) so that
 * all become visible at one instant and the queue is full when a pass's clock starts.
 */
final class BenchEvents {

    private static final int ENQUEUE_THREADS = 8;
    /** Events are sent invisible and all become visible at once, this long after sending starts per 1 000. */
    private static final Duration ENQUEUE_ALLOWANCE_PER_1000 = Duration.ofSeconds(12);

    private final Emulators emulators;
    private final StoreEndpoints endpoints;
    private final QueueClient azureQueue;
    private final SqsClient sqs;
    private final String sqsQueueUrl;

    /** @param azureQueue a client that writes base64 text, as Event Grid does */
    BenchEvents(Emulators emulators, StoreEndpoints endpoints, QueueClient azureQueue, String sqsQueueUrl) {
        this.emulators = emulators;
        this.endpoints = endpoints;
        this.azureQueue = azureQueue;
        this.sqs = emulators.sqsClient();
        this.sqsQueueUrl = sqsQueueUrl;
    }

    /** A whole second far enough ahead for {@code events} to be sent before it. */
    static Instant visibleInstantFor(int events) {
        return Instant.now().plusSeconds(2).plusMillis(ENQUEUE_ALLOWANCE_PER_1000.toMillis() * events / 1000)
                .truncatedTo(ChronoUnit.SECONDS);
    }

    /** Sleeps until the events become visible; fails when sending them took past that instant. */
    static void awaitVisible(Instant visibleAt, double enqueueSeconds, int events) throws InterruptedException {
        if (Instant.now().isAfter(visibleAt)) {
            throw new IllegalStateException("sending " + events + " events took " + enqueueSeconds
                    + " s, past the instant they became visible; raise ENQUEUE_ALLOWANCE_PER_1000");
        }
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), visibleAt).toMillis()));
    }

    /**
     * Sends one created-event per object of {@code etags} (key → source ETag), invisible until {@code visibleAt}.
     *
     * @return the seconds sending took
     */
    double send(Direction direction, String source, Map<String, String> etags, long size, Instant visibleAt)
            throws Exception {
        long started = System.nanoTime();
        AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() * 1_000);
        List<Map.Entry<String, String>> entries = new ArrayList<>(etags.entrySet());
        try (ExecutorService pool = Executors.newFixedThreadPool(ENQUEUE_THREADS)) {
            List<Future<?>> sends = new ArrayList<>();
            if (direction == Direction.AZURE_TO_S3) {
                for (Map.Entry<String, String> entry : entries) {
                    String event = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), source, entry.getKey(),
                            entry.getValue(), size, "application/octet-stream",
                            String.format("%016x", sequencer.incrementAndGet()), endpoints.blobEndpoint(), Instant.now());
                    sends.add(pool.submit(() -> azureQueue.sendMessageWithResponse(event,
                            invisibleUntil(visibleAt), null, null, null)));
                }
            } else {
                // S3 → SQS delivers one notification per object; batches of 10 are only the bench's way of sending them.
                for (int from = 0; from < entries.size(); from += 10) {
                    List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
                    for (Map.Entry<String, String> entry : entries.subList(from, Math.min(from + 10, entries.size()))) {
                        String message = SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), source, entry.getKey(),
                                size, entry.getValue(), null, String.format("%016x", sequencer.incrementAndGet()),
                                Instant.now());
                        batch.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(batch.size()))
                                .messageBody(message).delaySeconds((int) invisibleUntil(visibleAt).toSeconds()).build());
                    }
                    sends.add(pool.submit(() -> {
                        var answer = sqs.sendMessageBatch(b -> b.queueUrl(sqsQueueUrl).entries(batch));
                        if (!answer.failed().isEmpty()) {
                            throw new IllegalStateException("SQS refused messages: " + answer.failed());
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> send : sends) {
                send.get();
            }
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** Whole seconds from now until {@code visibleAt} (both queues count initial invisibility in seconds). */
    private static Duration invisibleUntil(Instant visibleAt) {
        return Duration.ofSeconds(Math.max(0, Duration.between(Instant.now(), visibleAt).toMillis() + 999) / 1000);
    }
}
