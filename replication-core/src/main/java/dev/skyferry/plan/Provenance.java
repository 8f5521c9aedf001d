package dev.skyferry.plan;

/**
 * Names of the user metadata Skyferry writes on every replica. They are valid C# identifiers (Azure's
 * rule) and lower case (S3 lower-cases metadata names), so they read back the same on both clouds.
 */
public final class Provenance {

    /** Marker: present (value "1") on every object Skyferry wrote. Loop prevention keys on it. */
    public static final String REPLICA_MARKER = "skyferry_replica";
    /** The source object's URI ({@code s3://bucket/key} or its blob URL). */
    public static final String SOURCE_URI = "skyferry_source";
    /** The source object's ETag at the time it was read. */
    public static final String SOURCE_ETAG = "skyferry_source_etag";
    /** The source object's version id, when it had one. */
    public static final String SOURCE_VERSION = "skyferry_source_version";
    /** The event's sequencer, for stale protection. */
    public static final String SOURCE_SEQUENCER = "skyferry_source_sequencer";
    /** Base64 MD5 of the bytes read from the source, as computed while streaming. */
    public static final String SOURCE_MD5 = "skyferry_source_md5";
    /** The rule that wrote the replica. */
    public static final String RULE = "skyferry_rule";
    /** Set on a replica by the TOMBSTONE delete policy: when its source was deleted. */
    public static final String SOURCE_DELETED_AT = "skyferry_source_deleted_at";

    private Provenance() {}
}
