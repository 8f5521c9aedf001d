package dev.skyferry.queue;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One message as received from a {@link MessageSource}. The text is exactly what the queue holds (for
 * Azure, read with {@code QueueMessageEncoding.NONE}: base64 or raw JSON, the parser decides).
 *
 * <p>The receipt (Azure pop receipt, SQS receipt handle) is what lets this worker change, delete or
 * release the message. Azure hands out a new pop receipt on every visibility update, so the receipt
 * changes while the message is held; only the source updates it. The worker never runs two calls on
 * one message at once (the heartbeat is stopped before the message is settled).
 */
public final class ReceivedMessage {

    private final String messageId;
    private final String text;
    private final int receiveCount;
    private final Instant enqueuedAt;
    private final Instant receivedAt;
    private final Map<String, String> attributes;
    private final Object sourceData;
    private String receipt;

    /**
     * @param receiveCount Azure dequeueCount / SQS ApproximateReceiveCount, this delivery included
     * @param enqueuedAt   Azure insertion time / SQS SentTimestamp; null when unknown
     * @param receivedAt   when this worker received it (SQS's 12 h visibility cap counts from here)
     * @param attributes   SQS message attributes as strings, for logs; empty for Azure
     * @param sourceData   whatever the source keeps to settle the message (e.g. SQS attributes as sent)
     */
    ReceivedMessage(String messageId, String receipt, String text, int receiveCount, Instant enqueuedAt,
                    Instant receivedAt, Map<String, String> attributes, Object sourceData) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        this.receipt = Objects.requireNonNull(receipt, "receipt");
        this.text = text == null ? "" : text;
        this.receiveCount = receiveCount;
        this.enqueuedAt = enqueuedAt;
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.attributes = Map.copyOf(attributes);
        this.sourceData = sourceData;
    }

    /** For tests and other {@link MessageSource} implementations. */
    public static ReceivedMessage of(String messageId, String receipt, String text, int receiveCount,
                                     Instant enqueuedAt, Instant receivedAt) {
        return new ReceivedMessage(messageId, receipt, text, receiveCount, enqueuedAt, receivedAt, Map.of(), null);
    }

    public String messageId() {
        return messageId;
    }

    public String text() {
        return text;
    }

    public int receiveCount() {
        return receiveCount;
    }

    public Instant enqueuedAt() {
        return enqueuedAt;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    Object sourceData() {
        return sourceData;
    }

    /** The current receipt. Sources read and replace it while holding this object's monitor. */
    public synchronized String receipt() {
        return receipt;
    }

    synchronized void replaceReceipt(String newReceipt) {
        receipt = newReceipt;
    }

    @Override
    public String toString() {
        return "message " + messageId + " (delivery " + receiveCount + ")";
    }
}
