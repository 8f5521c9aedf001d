package dev.skyferry.ops.replay;

import java.util.Map;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * One dead-lettered message (or one event of an Event Grid dead-letter blob), ready to go back.
 *
 * @param id     a name for reports: the SQS or Azure message id, or {@code blob#index}
 * @param body   exactly the text to put back on the source queue: the original message, byte for
 *               byte, with every dead-letter fact stripped
 * @param facts  why and when it was dead-lettered
 * @param origin where it sits, and what it takes to remove it from there
 */
public record DeadLetter(String id, String body, DeadLetterFacts facts, Origin origin) {

    /** Which queue family the body belongs to, and so which parser and which destinations fit it. */
    public enum QueueFamily { SQS, AZURE_QUEUE }

    public QueueFamily family() {
        return origin instanceof Origin.SqsMessage ? QueueFamily.SQS : QueueFamily.AZURE_QUEUE;
    }

    public sealed interface Origin {

        /**
         * @param receiptHandle     for the delete after a successful replay
         * @param carriedAttributes message attributes to send along: the producer's own, with the
         *                          worker's dead-letter attributes removed
         */
        record SqsMessage(String messageId, String receiptHandle,
                          Map<String, MessageAttributeValue> carriedAttributes) implements Origin {
            public SqsMessage {
                carriedAttributes = Map.copyOf(carriedAttributes);
            }
        }

        record AzureQueueMessage(String messageId, String popReceipt) implements Origin {}

        /** One element of the JSON array in an Event Grid dead-letter blob. */
        record EventGridBlobEvent(String blobName, int index) implements Origin {}
    }
}
