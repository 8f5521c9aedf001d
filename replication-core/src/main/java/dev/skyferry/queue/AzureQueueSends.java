package dev.skyferry.queue;

import com.azure.core.util.Context;
import com.azure.storage.queue.QueueClient;
import java.time.Duration;

/**
 * Sends to Azure Storage Queues that keep each message until someone deletes it. Without a
 * time-to-live Azure drops a message after 7 days: a dead letter nobody replayed within a week, or an
 * event re-sent by replay or backfill that waited out a long outage, would be gone without a trace.
 * Event Grid writes the events themselves the same way (the deployed subscription's
 * {@code queueMessageTimeToLiveInSeconds: -1}).
 */
public final class AzureQueueSends {

    /** Azure's "never expires". */
    private static final Duration NEVER_EXPIRES = Duration.ofSeconds(-1);

    private AzureQueueSends() {}

    /** Sends {@code text}, visible at once and never expiring; returns the new message's id. */
    public static String sendKeptUntilDeleted(QueueClient queue, String text) {
        return queue.sendMessageWithResponse(text, null, NEVER_EXPIRES, null, Context.NONE).getValue().getMessageId();
    }
}
