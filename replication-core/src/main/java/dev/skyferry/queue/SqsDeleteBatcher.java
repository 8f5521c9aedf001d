package dev.skyferry.queue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;

/**
 * Deletes of settled SQS messages, gathered by the SDK's batch manager into DeleteMessageBatch calls of
 * up to ten: under load a tenth of the delete requests (and of their share of the SQS bill). Each
 * message still gets its own answer, so one stale receipt fails only its own delete.
 *
 * <p>A delete waits at most {@link #BATCH_WINDOW} for others to join it. The message stays invisible
 * meanwhile (its visibility timeout is minutes), and the worker has already given back its copy slot.
 * One batcher serves every SQS source; the batch manager keeps a batch per queue URL.
 */
public final class SqsDeleteBatcher implements AutoCloseable {

    /** Long enough to fill a batch from 16 copies in flight, short beside any visibility timeout. */
    static final Duration BATCH_WINDOW = Duration.ofMillis(100);

    private final ScheduledExecutorService flushTimer;
    private final SqsAsyncBatchManager batches;

    /** {@code sqs} stays the caller's to close, after this batcher. */
    public SqsDeleteBatcher(SqsAsyncClient sqs) {
        this.flushTimer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("sqs-delete-batches").daemon().factory());
        this.batches = SqsAsyncBatchManager.builder()
                .client(sqs)
                .scheduledExecutor(flushTimer)
                .overrideConfiguration(o -> o.maxBatchSize(10).sendRequestFrequency(BATCH_WINDOW))
                .build();
    }

    /** Completes when SQS has answered for this receipt: normally, or with its per-message error. */
    CompletableFuture<DeleteMessageResponse> delete(String queueUrl, String receiptHandle) {
        return batches.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle));
    }

    /** Sends what is still gathered, waits for the answers (the SDK's 5 s at most), then stops the timer. */
    @Override
    public void close() {
        try {
            batches.close();
        } finally {
            flushTimer.shutdownNow();
        }
    }
}
