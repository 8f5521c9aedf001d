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

    /**
     * The user metadata that marks a directory of a hierarchical-namespace (ADLS Gen2) account in the Blob
     * API's view: a flat listing shows each directory as a 0-byte blob carrying it (MicrosoftDocs/azure-docs#57754).
     */
    public static final String HNS_DIRECTORY_METADATA = "hdi_isfolder";

    public ObjectInfo {
        attributes = attributes == null ? ObjectAttributes.NONE : attributes;
    }

    /**
     * Whether this is a hierarchical-namespace directory rather than an object: the files in it are objects of
     * their own, and a directory is never replicated (it raises DirectoryCreated, which the worker ignores).
     */
    public boolean isDirectoryEntry() {
        return size == 0 && "true".equalsIgnoreCase(attributes.userMetadata().get(HNS_DIRECTORY_METADATA));
    }
}
