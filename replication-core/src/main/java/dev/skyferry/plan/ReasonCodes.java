package dev.skyferry.plan;

/**
 * The stable reason codes of every outcome the engine produces, for queue actions, metrics labels
 * and operators. Each code is kebab-case and never changes meaning; the outcome's detail carries the
 * specifics (sizes, names, etags). The other codes of the {@code reason} label: events the parser
 * ignores ({@code ParsedMessage.IgnoreCode}), the rules' rejections ({@code RouteDecision.RejectCode})
 * and the worker's own ({@code Worker}: unparseable, retries-exhausted, ...).
 */
public final class ReasonCodes {

    // Skipped: deliberately not replicated; the message is settled.
    /** The target already holds a replica of this source version (same etag or same sequencer). */
    public static final String ALREADY_REPLICATED = "already-replicated";
    /** A delete whose replica is already gone. */
    public static final String ALREADY_DELETED = "already-deleted";
    /** The target holds a replica of a newer source version than this event names. */
    public static final String STALE_EVENT = "stale-event";
    /** The source object is itself a replica Skyferry wrote: copying it back would ping-pong. */
    public static final String ECHO_OF_REPLICA = "echo-of-replica";
    /** The source object no longer exists (404 when reading it). */
    public static final String SOURCE_GONE = "source-gone";
    /** The source is a hierarchical-namespace directory (a 0-byte blob marked hdi_isfolder): its files are replicated, it is not. */
    public static final String DIRECTORY_ENTRY = "directory-entry";
    /** The source changed since the event (If-Match / version mismatch): a newer event follows. */
    public static final String SUPERSEDED = "superseded";
    /** A propagated delete would remove an object Skyferry did not write. */
    public static final String TARGET_NOT_OURS = "target-not-ours";
    /** The rule's delete policy is {@code ignore}. */
    public static final String DELETE_IGNORED = "delete-ignored";

    // Dead-lettered: permanent, an operator has to look.
    /** User metadata names the target cannot hold, under policy {@code fail} (or a rename collision). */
    public static final String INVALID_METADATA = "invalid-metadata";
    /** User metadata plus provenance exceed the target's limit (S3 2 KiB, Azure 8 KiB). */
    public static final String METADATA_TOO_LARGE = "metadata-too-large";
    /** Tags outside the target's limits (count, length, characters). */
    public static final String INVALID_TAGS = "invalid-tags";
    /** The bytes read from the source do not match the source's own checksum. */
    public static final String CHECKSUM_MISMATCH = "checksum-mismatch";
    /** The target reports a different checksum or size than what was written; the replica was removed. */
    public static final String REPLICA_VERIFICATION_FAILED = "replica-verification-failed";
    /** The object exceeds what the target accepts, or needs parts larger than the memory budget. */
    public static final String OBJECT_TOO_LARGE = "object-too-large";
    /** {@code s3ToAzureMode: server-side} with stores that cannot copy server-side. */
    public static final String SERVER_SIDE_UNAVAILABLE = "server-side-unavailable";
    /** The bucket or container itself does not exist. */
    public static final String CONTAINER_NOT_FOUND = "container-not-found";
    /** An unexpected error inside Skyferry: a bug, reported with its message. */
    public static final String INTERNAL_ERROR = "internal-error";

    // Retry: transient, the message is redelivered later.
    /** The worker is shutting down; writes were aborted. */
    public static final String INTERRUPTED = "interrupted";
    /** The target changed between planning and writing (a racing worker): plan again on redelivery. */
    public static final String TARGET_CHANGED = "target-changed";
    /** The source stream ended before (or after) its declared length: a dropped connection. */
    public static final String SIZE_MISMATCH = "size-mismatch";
    /** A network read or write failed. */
    public static final String IO_ERROR = "io-error";
    /** The worker ran out of memory (heap or direct buffers) mid-copy: its load, not the object, is at fault. */
    public static final String OUT_OF_MEMORY = "out-of-memory";

    private ReasonCodes() {}
}
