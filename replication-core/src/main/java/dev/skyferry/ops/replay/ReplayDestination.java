package dev.skyferry.ops.replay;

import dev.skyferry.event.ParsedMessage;

/**
 * Where replayed dead letters go: back onto the source queue ({@link SqsQueueDestination},
 * {@link AzureQueueDestination}) or straight through the pipeline ({@link ProcessingDestination}).
 */
public interface ReplayDestination {

    /** For reports: {@code sqs https://…/skyferry-events}. */
    String describe();

    /** Whether this destination can take a body from this queue family (an SQS body cannot go onto an Azure queue). */
    boolean accepts(DeadLetter.QueueFamily family);

    /**
     * Delivers one dead letter. Returns {@link Delivery.Accepted} only when the destination has it for
     * good (the send was acknowledged, or the pipeline replicated or skipped every event); only then
     * is the dead letter removed from its source.
     *
     * @param parsed the body, parsed
     */
    Delivery deliver(DeadLetter letter, ParsedMessage parsed);

    sealed interface Delivery {
        /** @param detail what happened, for the report ("sent", "replicated 2 events") */
        record Accepted(String detail) implements Delivery {}

        /** @param reason why it stays dead-lettered */
        record Rejected(String reason) implements Delivery {}
    }
}
