package dev.skyferry.event;

import java.util.List;
import java.util.Locale;

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
     *
     * @param code   why, from a fixed set: for log lines and the {@code reason} metric label
     * @param reason the specifics: which field said what, and where in the message
     */
    public record Ignored(IgnoreCode code, String reason, String eventId) implements Item {}

    /** Why an event is ignored. A fixed set, so that the {@code reason} metric label stays bounded. */
    public enum IgnoreCode {
        /** {@code s3:TestEvent}: sent once when a bucket's notification configuration is saved. */
        TEST_EVENT,
        /** SNS SubscriptionConfirmation / UnsubscribeConfirmation: SNS housekeeping, no object change. */
        SNS_HOUSEKEEPING,
        /** An S3 notification whose {@code Records} array is empty. */
        NO_RECORDS,
        /** An event type Skyferry does not replicate: ObjectRestore, ObjectTagging, BlobTierChanged, a non-S3 EventBridge source. */
        EVENT_NOT_REPLICATED,
        /** An S3 object expired by a lifecycle rule: the replica keeps its own lifecycle. */
        LIFECYCLE_EXPIRATION,
        /** A BlobCreated whose API commits no content yet ({@code CreateFile}, {@code SftpCreate}) or is unknown. */
        NOT_A_COMMITTED_WRITE,
        /** A BlobCreated of an append or page blob: its later appends and page writes raise no event. */
        APPEND_OR_PAGE_BLOB,
        /** A BlobRenamed whose API is not a file rename (directory renames). */
        NOT_A_FILE_RENAME,
        /** A BlobDeleted whose API is not a blob delete. */
        NOT_A_BLOB_DELETE;

        /** Lower-case, hyphenated, like every reason code: {@code append-or-page-blob}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Could not be understood; the reason says precisely what was wrong and where. */
    public record Failed(String reason, String eventId) implements Item {}

    public static ParsedMessage failed(String reason) {
        return new ParsedMessage(List.of(new Failed(reason, null)));
    }
}
