package dev.skyferry.event;

import dev.skyferry.store.StoreKind;
import java.time.Instant;

/**
 * One object change, normalized from whatever form the cloud delivered it in (Event Grid or
 * CloudEvents schema, S3 notification direct / via SNS / via EventBridge).
 *
 * @param source     which cloud the changed object lives in
 * @param account    Azure storage account name (from the topic/source); null for S3
 * @param container  Azure container or S3 bucket
 * @param key        blob name or object key, fully decoded (S3's form encoding undone)
 * @param kind       created or deleted
 * @param etag       ETag without quotes; null when the event has none (deletes)
 * @param size       content length; null when the event has none
 * @param versionId  S3 versionId / Azure versionId; null when absent
 * @param sequencer  the store's per-key ordering token, as delivered; null when absent
 * @param eventTime  when the change happened, per the event; null when the event carries none or an
 *                   unreadable one (it is informational: lag metrics, logs)
 * @param eventId    the event's own id (Event Grid id, S3 record's x-amz-request-id + sequencer, ...)
 * @param api        what made the change: {@code data.api} (PutBlob, ...) or S3's eventName
 * @param url        Azure {@code data.url} as delivered; null for S3. Used only to check its host
 *                   against the rule's account, never fetched.
 * @param topic      Azure topic / CloudEvents source, or the S3 bucket ARN; null when absent
 */
public record ReplicationEvent(
        StoreKind source,
        String account,
        String container,
        String key,
        EventKind kind,
        String etag,
        Long size,
        String versionId,
        String sequencer,
        Instant eventTime,
        String eventId,
        String api,
        String url,
        String topic) {

    public enum EventKind { CREATED, DELETED }

    /** S3's id of the version a write makes in a bucket whose versioning is suspended (or never enabled). */
    public static final String S3_NULL_VERSION = "null";

    /**
     * The version id when it names one version for good: null without one, and for S3's {@value
     * #S3_NULL_VERSION} version, which every write to a bucket with versioning suspended replaces in place.
     */
    public String immutableVersionId() {
        return S3_NULL_VERSION.equals(versionId) ? null : versionId;
    }

    /**
     * This event as the creation of the key's version that is current now: what a delete of one S3
     * version means for a replica when the key still has a current version (an older version cleaned
     * up, a delete marker removed, the current version deleted so that the one below it is current).
     * The sequencer stays this event's: the replica then reflects the key as of this event.
     */
    public ReplicationEvent asCreatedOf(String currentEtag, long currentSize, String currentVersionId) {
        return new ReplicationEvent(source, account, container, key, EventKind.CREATED, currentEtag, currentSize,
                currentVersionId, sequencer, eventTime, eventId, api, url, topic);
    }

    /** The name a rename took a blob away from (the old half of a BlobRenamed), handled as deleted. */
    public boolean isRenamedAway() {
        return kind == EventKind.DELETED && AzureEventMapper.RENAME_APIS.contains(api);
    }

    /** A short human description for logs and outcomes, e.g. {@code s3://bucket/key (created)}. */
    public String describe() {
        String where = source == StoreKind.S3
                ? "s3://" + container + "/" + key
                : "azure://" + account + "/" + container + "/" + key;
        return where + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
