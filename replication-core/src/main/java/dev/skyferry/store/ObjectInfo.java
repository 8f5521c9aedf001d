package dev.skyferry.store;

import java.time.Instant;

/**
 * What a store knows about one stored object.
 *
 * @param key          the object's key (S3) or blob name (Azure), decoded
 * @param size         content length in bytes
 * @param etag         the store's entity tag, without surrounding quotes
 * @param versionId    S3 version id or Azure version id; null where versioning is off
 * @param lastModified last modification time
 * @param contentMd5   the whole-object MD5 the store holds (Azure Content-MD5, or an S3 ETag that is
 *                     known to be an MD5); null when the store has none. Never a multipart ETag.
 * @param attributes   content headers, user metadata (including Skyferry's provenance) and tags.
 *                     Tags are only filled where the call that produced this info fetched them.
 */
public record ObjectInfo(
        String key,
        long size,
        String etag,
        String versionId,
        Instant lastModified,
        byte[] contentMd5,
        ObjectAttributes attributes) {

    public ObjectInfo {
        attributes = attributes == null ? ObjectAttributes.NONE : attributes;
    }
}
