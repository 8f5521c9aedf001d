package dev.skyferry.queue;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.util.Context;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueErrorCode;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
import com.azure.storage.queue.models.UpdateMessageResult;
import dev.skyferry.store.StoreErrors;
import dev.skyferry.store.StoreException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Azure Storage Queue carrying Event Grid blob events.
 *
 * <ul>
 *   <li>Receive: up to 32 messages per call. An empty queue is polled again after a wait that starts
 *       at {@code minPollInterval} and doubles up to {@code maxPollInterval}; a message resets it.</li>
 *   <li>Text: both clients must use {@link QueueMessageEncoding#NONE}. Event Grid writes base64 or raw
 *       JSON depending on its version; the parser accepts both, and the poison queue gets the text
 *       exactly as stored.</li>
 *   <li>Heartbeat and release are Update Message calls (visibility only, text untouched). Each returns
 *       a new pop receipt, which replaces the old one: the old one is invalid from then on.</li>
 *   <li>Dead-letter: send an {@link AzureDeadLetterEnvelope} to the poison queue (created if missing,
 *       as Azure Functions does), then delete the original.</li>
 * </ul>
 */
public final class AzureQueueSource implements MessageSource {

    private static final Logger log = LoggerFactory.getLogger(AzureQueueSource.class);
    static final int MAX_BATCH = 32;

    private final AzureQueueSettings settings;
    private final QueueClient queue;
    private final QueueClient poisonQueue;
    private final Clock clock;
    private Duration emptyPollWait;

    /**
     * @param queue       the queue to consume, built with {@link QueueMessageEncoding#NONE}
     * @param poisonQueue the dead-letter queue ({@code <queue>-poison} by convention), also NONE
     */
    public AzureQueueSource(AzureQueueSettings settings, QueueClient queue, QueueClient poisonQueue, Clock clock) {
        requireRawText(queue, "queue");
        requireRawText(poisonQueue, "poisonQueue");
        this.settings = settings;
        this.queue = queue;
        this.poisonQueue = poisonQueue;
        this.clock = clock;
        this.emptyPollWait = settings.minPollInterval();
    }

    private static void requireRawText(QueueClient client, String which) {
        if (client.getMessageEncoding() != QueueMessageEncoding.NONE) {
            throw new IllegalArgumentException(which + " client " + client.getQueueName()
                    + " must use QueueMessageEncoding.NONE so messages are read and moved exactly as stored, was "
                    + client.getMessageEncoding());
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public SourceType type() {
        return SourceType.AZURE_QUEUE;
    }

    @Override
    public Duration visibilityTimeout() {
        return settings.visibilityTimeout();
    }

    @Override
    public int maxBatchSize() {
        return MAX_BATCH;
    }

    @Override
    public int maxDeliveries() {
        return settings.maxDequeueCount();
    }

    public String queueName() {
        return queue.getQueueName();
    }

    public String poisonQueueName() {
        return poisonQueue.getQueueName();
    }

    @Override
    public List<ReceivedMessage> receive(int maxMessages) {
        int count = Math.clamp(maxMessages, 1, MAX_BATCH);
        List<QueueMessageItem> items = translating("receive", () -> shieldedFromInterrupts(() -> {
            List<QueueMessageItem> page = new ArrayList<>(count);
            queue.receiveMessages(count, settings.visibilityTimeout(), null, Context.NONE).forEach(page::add);
            return page;
        }));
        if (items.isEmpty() && !Thread.currentThread().isInterrupted()) {
            waitBeforeNextPoll();
            return List.of();
        }
        emptyPollWait = settings.minPollInterval();
        Instant now = clock.instant();
        List<ReceivedMessage> messages = new ArrayList<>(items.size());
        for (QueueMessageItem item : items) {
            messages.add(new ReceivedMessage(item.getMessageId(), item.getPopReceipt(),
                    item.getBody() == null ? "" : item.getBody().toString(), (int) Math.min(Integer.MAX_VALUE, item.getDequeueCount()),
                    item.getInsertionTime() == null ? null : item.getInsertionTime().toInstant(), now, Map.of(), null));
        }
        return messages;
    }

    /**
     * Runs a short call on its own thread and waits for it without reacting to interrupts. A stop
     * interrupts the receiving thread; cut mid-request, the SDK would log errors and a batch Azure had
     * already handed out would stay invisible for the whole visibility timeout. Finished, the batch is
     * returned and the worker releases it at once. The interrupt stays set for the caller.
     */
    private static <T> T shieldedFromInterrupts(Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().name("azure-queue-receive").start(() -> {
            try {
                result.complete(call.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.join(); // join() waits through interrupts and leaves the flag set
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    private void waitBeforeNextPoll() {
        try {
            Thread.sleep(emptyPollWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration doubled = emptyPollWait.multipliedBy(2);
        emptyPollWait = doubled.compareTo(settings.maxPollInterval()) > 0 ? settings.maxPollInterval() : doubled;
    }

    @Override
    public void extendVisibility(ReceivedMessage message, Duration timeout) {
        updateVisibility(message, timeout, "extend visibility of");
    }

    @Override
    public void release(ReceivedMessage message, Duration delay) {
        updateVisibility(message, delay, "release");
    }

    private void updateVisibility(ReceivedMessage message, Duration visibility, String what) {
        Duration capped = visibility.compareTo(AzureQueueSettings.LONGEST_VISIBILITY_TIMEOUT) > 0
                ? AzureQueueSettings.LONGEST_VISIBILITY_TIMEOUT : visibility;
        synchronized (message) {
            // null text: Update Message changes the visibility only and keeps the message text as is.
            UpdateMessageResult result = translating(what + " " + message, () ->
                    queue.updateMessage(message.messageId(), message.receipt(), null, capped));
            message.replaceReceipt(result.getPopReceipt());
        }
    }

    @Override
    public void delete(ReceivedMessage message) {
        synchronized (message) {
            translating("delete " + message, () -> {
                queue.deleteMessage(message.messageId(), message.receipt());
                return null;
            });
        }
    }

    @Override
    public void deadLetter(ReceivedMessage message, DeadLetterFacts facts) {
        AzureDeadLetterEnvelope envelope = AzureDeadLetterEnvelope.of(facts, name(), queue.getQueueName(), message);
        String poisonText = envelope.fittingJson().orElseGet(() -> {
            log.warn("dead-letter envelope for {} exceeds {} bytes; moving the original text alone to {} (reason {}: {})",
                    message, AzureDeadLetterEnvelope.MAX_MESSAGE_BYTES, poisonQueue.getQueueName(), facts.reason(), facts.lastError());
            return message.text();
        });
        translating("send " + message + " to poison queue " + poisonQueue.getQueueName(), () -> {
            try {
                AzureQueueSends.sendKeptUntilDeleted(poisonQueue, poisonText);
            } catch (QueueStorageException e) {
                if (!QueueErrorCode.QUEUE_NOT_FOUND.equals(e.getErrorCode())) {
                    throw e;
                }
                poisonQueue.createIfNotExists();
                AzureQueueSends.sendKeptUntilDeleted(poisonQueue, poisonText);
            }
            return null;
        });
        delete(message);
    }

    @Override
    public OptionalLong approximateDepth() {
        return OptionalLong.of(translating("get properties", () -> queue.getProperties().getApproximateMessagesCount()));
    }

    private <T> T translating(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            String code = e instanceof QueueStorageException q && q.getErrorCode() != null ? q.getErrorCode().toString() : null;
            String retryAfter = e.getResponse() == null ? null : e.getResponse().getHeaders().getValue(HttpHeaderName.RETRY_AFTER);
            throw new QueueException(QueueErrors.kindFor(status, code), status, code,
                    "Azure queue " + queue.getQueueName() + ": cannot " + what + ": " + status + " " + code,
                    StoreErrors.parseRetryAfter(retryAfter, Instant.now()), e);
        } catch (RuntimeException e) {
            // No HTTP answer: connection refused or reset, timeout, interrupted while waiting.
            throw new QueueException(Kind.UNAVAILABLE, 0, null,
                    "Azure queue " + queue.getQueueName() + ": cannot " + what + ": " + e, null, e);
        }
    }
}
