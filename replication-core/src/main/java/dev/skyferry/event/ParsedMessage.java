package dev.skyferry.event;

import java.util.List;

/**
 * Everything one queue message turned into. A message may carry several events (an Event Grid
 * array, several S3 records); each is accepted, ignored with a reason, or failed with a reason.
 * Parsing never throws: a message that is not JSON at all is one {@link Failed} item.
 */
public record ParsedMessage(List<Item> items) {

    public ParsedMessage {
        items = List.copyOf(items);
    }

    public sealed interface Item permits Accepted, Ignored, Failed {}

    /** An object change to replicate or delete. */
    public record Accepted(ReplicationEvent event) implements Item {}

    /**
     * Deliberately not replicated, e.g. {@code s3:TestEvent}, {@code SftpCreate}, a
     * {@code CreateFile} of size 0, an event type Skyferry does not handle.
     */
    public record Ignored(String reason, String eventId) implements Item {}

    /** Could not be understood; the reason says precisely what was wrong and where. */
    public record Failed(String reason, String eventId) implements Item {}

    public static ParsedMessage failed(String reason) {
        return new ParsedMessage(List.of(new Failed(reason, null)));
    }
}
