package dev.skyferry.store;

import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One container (Azure) or bucket (S3): the small interface both clouds implement, in the spirit of
 * rclone's {@code Fs}. Every method throws {@link StoreException} on failure and nothing else.
 * Stores move bytes and translate errors; they never retry, verify or decide policy — that is
 * written once, above all stores (copy, verify, resilience packages).
 *
 * <p>Optional capabilities are separate interfaces discovered by type check:
 * {@link PresignedReads} (a source that can hand out a pre-signed GET URL) and {@link UrlCopyTarget}
 * (a target that can fetch from a URL server-side).
 */
public interface ObjectStore {

    StoreKind kind();

    /**
     * Whether the service itself refuses a write whose {@link Precondition.IfAbsent} or
     * {@link Precondition.IfMatch} does not hold (Azure; S3 since 2024-08). When true a new replica is
     * written at once under If-None-Match and the target is looked at only if the write is refused;
     * when false the target is looked at before every write, the only guard such a service leaves.
     */
    boolean enforcesConditionalWrites();

    /** Azure storage account name, or null for S3. */
    String account();

    /** Container (Azure) or bucket (S3) name. */
    String container();

    /** A stable URI naming one object, used for provenance: {@code s3://bucket/key} or the blob URL. */
    URI uriOf(String key);

    /**
     * HEAD: the object's info including user metadata, without tags.
     *
     * @return empty when the object does not exist; a missing container or bucket is not an absent
     *         object and throws NOT_FOUND with {@link StoreException#containerMissing()} true
     */
    Optional<ObjectInfo> stat(String key);

    /**
     * GET: opens the object (or a byte range of it) for streaming. The returned info comes from the
     * same response as the bytes, so it describes exactly the version being read.
     *
     * @param range     null for the whole object
     * @param condition {@link Precondition.IfMatch} or {@link Precondition.Version} to read exactly the
     *                  version an event names; a mismatch throws PRECONDITION_FAILED, absence NOT_FOUND
     */
    OpenObject open(String key, ByteRange range, Precondition condition);

    /** The object's tags (S3 object tags, Azure blob index tags); empty map when there are none. */
    Map<String, String> readTags(String key);

    /**
     * Writes a whole object in one request. The store sends {@code spec.contentMd5()} where the
     * service checks it on receipt.
     *
     * @param condition {@link Precondition.IfAbsent} or {@link Precondition.IfMatch} against the
     *                  current target, so two racing workers cannot overwrite newer with older
     */
    WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition);

    /**
     * Starts a write in parts (S3 multipart upload, Azure staged blocks). Nothing is visible until
     * {@link MultipartWrite#complete()}; {@link MultipartWrite#abort()} leaves no trace.
     */
    MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition);

    /** Deletes the object; NOT_FOUND when it is already gone. */
    void delete(String key, Precondition condition);

    /** Replaces the object's user metadata, keeping its content (used for tombstones). */
    void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition);

    /**
     * One page of a listing, in key order. Listed infos carry key, size, ETag and time; metadata,
     * content headers and MD5 only where the listing API returns them (Azure yes, S3 no): stat for them.
     *
     * @param continuation null for the first page, else {@link ListPage#continuation()} of the previous
     */
    ListPage list(String prefix, String continuation, int pageSize);

    /** An inclusive-exclusive byte range {@code [offset, offset + length)}. */
    record ByteRange(long offset, long length) {}

    /**
     * An open GET: the object's info and its bytes. Close it to release the connection (a half-read
     * body is aborted, not drained). Reading fails — IOException or StoreException, both classified by
     * {@code FailureClassifier} — rather than ending early when the connection breaks.
     */
    record OpenObject(ObjectInfo info, InputStream content) implements AutoCloseable {
        @Override
        public void close() {
            try {
                content.close();
            } catch (java.io.IOException ignored) {
                // Closing a half-read HTTP body may fail; nothing is lost by it.
            }
        }
    }

    /** One page of a listing; {@code continuation} is null on the last page. */
    record ListPage(List<ObjectInfo> objects, String continuation) {}

    /**
     * A write in parts. {@link #uploadPart} may be called from several threads at once, with part
     * numbers 1..n; {@link #complete()} commits the parts in number order.
     */
    interface MultipartWrite {
        /** S3 upload id or a generated Azure block-id prefix, for logs and cleanup. */
        String uploadId();

        /**
         * Whether {@link #uploadPart} needs each part's MD5 for the service to check the part's bytes.
         * False where the request already makes the service check them: over plain HTTP SigV4 signs
         * the SHA-256 of every body, which S3 (and S3-compatible servers that say so) recompute and
         * compare (XAmzContentSHA256Mismatch), so a Content-MD5 would have the same bytes hashed twice.
         */
        boolean needsPartMd5();

        /**
         * Uploads part {@code partNumber} (1-based). {@code md5} is sent for the service to check; it
         * may be null only where {@link #needsPartMd5()} is false.
         *
         * @throws IllegalArgumentException when {@code md5} is null but needed
         */
        void uploadPart(int partNumber, ByteBuffer data, byte[] md5);

        /** Commits all uploaded parts, in part number order, under the write's precondition. */
        WriteResult complete();

        /** Discards the uploaded parts; safe to call more than once and after a failed complete. */
        void abort();
    }

    /**
     * What a store reports after a write: what the service answered, not what the write asked for.
     *
     * @param serviceMd5           the MD5 the service computed of the whole object (Azure Put Blob's
     *                             Content-MD5, a plain S3 PutObject ETag); null after multipart/staged
     *                             commits and server-side copies
     * @param serverSideEncryption the encryption the service says it applied (S3's
     *                             x-amz-server-side-encryption: AES256, aws:kms, aws:kms:dsse), whether the
     *                             write asked for it or the bucket's default chose it; null where the
     *                             service says none (Azure)
     */
    record WriteResult(String etag, String versionId, byte[] serviceMd5, String serverSideEncryption) {}

    /** Write-side options from the rule; each store reads only its own fields. */
    record WriteSpec(ObjectAttributes attributes, long size, byte[] contentMd5, TargetOptions options) {}

    /**
     * Backup economics and compliance settings for writes.
     *
     * @param s3StorageClass       e.g. STANDARD_IA, GLACIER_IR; null for the bucket default
     * @param s3ServerSideEncryption AES256 or aws:kms; null for the bucket default
     * @param s3KmsKeyId           KMS key id or ARN with aws:kms
     * @param azureAccessTier      Hot, Cool, Cold, Archive; null for the account default
     * @param azureEncryptionScope encryption scope name; null for the container default
     */
    record TargetOptions(String s3StorageClass, String s3ServerSideEncryption, String s3KmsKeyId,
                         String azureAccessTier, String azureEncryptionScope) {
        public static final TargetOptions DEFAULTS = new TargetOptions(null, null, null, null, null);
    }
}
