package dev.skyferry.ops.replay;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
import dev.skyferry.ops.replay.DeadLetter.Origin.AzureQueueMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Azure poison queue ({@code <queue>-poison}, the Azure Functions convention the worker follows).
 * Messages are the worker's envelope around the original text ({@link DeadLetterFormat}); anything
 * else (moved by hand, by a Functions app) goes back as it is, with reason {@link DeadLetterFacts#UNKNOWN}
 * and its insertion time as the age reference.
 */
public final class AzurePoisonQueue implements DeadLetterSource {

    private static final Logger LOG = LoggerFactory.getLogger(AzurePoisonQueue.class);

    /** Get Messages' maximum. */
    static final int RECEIVE_BATCH = 32;
    static final Duration MAX_VISIBILITY = Duration.ofDays(7);

    private final QueueClient queue;
    private final DeadLetterFormat format;
    private final Duration visibility;
    private final Map<String, String> kept = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();

    /**
     * @param queue      the poison queue, with {@link QueueMessageEncoding#NONE}: the text must reach
     *                   us and the source queue exactly as stored
     * @param visibility how long received messages stay hidden during the run
     */
    public AzurePoisonQueue(QueueClient queue, DeadLetterFormat format, Duration visibility) {
        requireRawText(queue);
        if (visibility.toSeconds() < 1 || visibility.compareTo(MAX_VISIBILITY) > 0) {
            throw new IllegalArgumentException("Azure queue visibility timeout must be within 1s..7d, was " + visibility);
        }
        this.queue = queue;
        this.format = format;
        this.visibility = visibility;
    }

    static void requireRawText(QueueClient queue) {
        if (queue.getMessageEncoding() != QueueMessageEncoding.NONE) {
            throw new IllegalArgumentException("queue client for " + queue.getQueueName()
                    + " must use QueueMessageEncoding.NONE so message text is moved unchanged, was "
                    + queue.getMessageEncoding());
        }
    }

    @Override
    public String describe() {
        return "azure-queue " + queue.getAccountName() + "/" + queue.getQueueName();
    }

    @Override
    public OptionalLong approximateCount() {
        try {
            return OptionalLong.of(queue.getProperties().getApproximateMessagesCountLong());
        } catch (QueueStorageException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public Batch next() {
        // A receive that returns only messages seen before (kept ones whose visibility ran out in a
        // long run) says little on its own; a few in a row mean everything else is hidden by this run.
        for (int staleBatches = 0; staleBatches < SqsDeadLetterQueue.STALE_BATCHES_BEFORE_END; staleBatches++) {
            List<DeadLetter> fresh = new ArrayList<>();
            boolean any = false;
            for (QueueMessageItem item : queue.receiveMessages(RECEIVE_BATCH, visibility, null, null)) {
                any = true;
                if (seen.add(item.getMessageId())) {
                    fresh.add(toDeadLetter(item));
                } else {
                    kept.put(item.getMessageId(), item.getPopReceipt());
                }
            }
            if (!any) {
                return Batch.EMPTY;
            }
            if (!fresh.isEmpty()) {
                return new Batch(fresh, List.of());
            }
        }
        return Batch.EMPTY;
    }

    private DeadLetter toDeadLetter(QueueMessageItem item) {
        String text = item.getBody().toString();
        Instant inserted = item.getInsertionTime() == null ? null : item.getInsertionTime().toInstant();
        AzureQueueMessage origin = new AzureQueueMessage(item.getMessageId(), item.getPopReceipt());
        return format.unwrapPoisonMessage(text)
                .map(u -> new DeadLetter(item.getMessageId(), u.originalText(), withDefaultTime(u.facts(), inserted), origin))
                .orElseGet(() -> new DeadLetter(item.getMessageId(), text,
                        new DeadLetterFacts(DeadLetterFacts.UNKNOWN, null, null, null, inserted), origin));
    }

    private static DeadLetterFacts withDefaultTime(DeadLetterFacts facts, Instant inserted) {
        return facts.deadLetteredAt() != null ? facts
                : new DeadLetterFacts(facts.reason(), facts.detail(), facts.attempts(), facts.firstFailure(), inserted);
    }

    @Override
    public void remove(DeadLetter letter) {
        AzureQueueMessage origin = (AzureQueueMessage) letter.origin();
        queue.deleteMessage(origin.messageId(), origin.popReceipt());
    }

    @Override
    public void keep(DeadLetter letter) {
        AzureQueueMessage origin = (AzureQueueMessage) letter.origin();
        kept.put(origin.messageId(), origin.popReceipt());
    }

    /** Makes kept messages visible again (visibility 0, text unchanged); on failure they reappear later. */
    @Override
    public void close() {
        kept.forEach((messageId, popReceipt) -> {
            try {
                queue.updateMessage(messageId, popReceipt, null, Duration.ZERO);
            } catch (QueueStorageException e) {
                LOG.warn("Could not release kept message {} on {}; it reappears after {}: {}",
                        messageId, queue.getQueueName(), visibility, e.getMessage());
            }
        });
        kept.clear();
    }
}
