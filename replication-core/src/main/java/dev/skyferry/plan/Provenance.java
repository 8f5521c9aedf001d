package dev.skyferry.plan;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Names of the user metadata Skyferry writes on every replica. They are valid C# identifiers (Azure's
 * rule) and lower case (S3 lower-cases metadata names), so they read back the same on both clouds.
 */
public final class Provenance {

    /** Every provenance name starts with this; incoming metadata with it is never copied across. */
    public static final String PREFIX = "skyferry_";
    /** Marker: present (value "1") on every object Skyferry wrote. Loop prevention keys on it ({@link #isEcho}). */
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

    /** The marker's value. */
    public static final String MARKER_VALUE = "1";

    private Provenance() {}

    /** True for names Skyferry owns, in any case (Azure keeps the case it was given, S3 lowers it). */
    public static boolean isProvenanceName(String metadataName) {
        return metadataName.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /** True when the metadata carries Skyferry's replica marker. */
    public static boolean isReplica(Map<String, String> userMetadata) {
        return get(userMetadata, REPLICA_MARKER) != null;
    }

    /**
     * Whether an object carrying these metadata is a replica Skyferry wrote, which copying on would loop.
     * Under the rule that wrote it, a replica names as its source the object the rule maps it back to,
     * {@code counterpart}; a copy someone made of a replica under another key (CopyObject and Copy Blob
     * keep metadata) names another, and is an object like any other, to be replicated (its provenance is
     * replaced); so is one whose marker names no source at all (an uploader setting {@value #REPLICA_MARKER}
     * does not keep an object out of the backup). A replica written by another rule stays an echo: rules
     * that chain could pass it round forever.
     *
     * @param rule        the rule this object would be copied under
     * @param counterpart where that rule would copy it to
     */
    public static boolean isEcho(Map<String, String> userMetadata, String rule, URI counterpart) {
        if (!isReplica(userMetadata)) {
            return false;
        }
        String writer = get(userMetadata, RULE);
        if (writer != null && !writer.equals(rule)) {
            return true;
        }
        return sourceUriValue(counterpart).equals(get(userMetadata, SOURCE_URI));
    }

    /** A provenance value, looked up without regard to case; null when absent. */
    public static String get(Map<String, String> userMetadata, String name) {
        String exact = userMetadata.get(name);
        if (exact != null) {
            return exact;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> entry : userMetadata.entrySet()) {
            if (entry.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** The value stored under {@link #SOURCE_URI}: ASCII only, so it is a valid header on both clouds. */
    public static String sourceUriValue(URI sourceUri) {
        return sourceUri.toASCIIString();
    }
}
