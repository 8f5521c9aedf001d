package dev.skyferry.store.s3;

import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.PresignedReads;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import java.io.FilterInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * One S3 bucket as an {@link ObjectStore}, plus pre-signed GETs for server-side copies into Azure.
 *
 * <p>Facts this class relies on (S3 API reference):
 * <ul>
 *   <li>PutObject and UploadPart check Content-MD5 on receipt (400 BadDigest). A single PutObject's
 *       ETag is the content MD5 unless the object is SSE-KMS/DSSE or SSE-C encrypted; a multipart
 *       ETag ({@code md5-of-md5s-N}) never is. {@link ObjectInfo#contentMd5()} follows that rule.</li>
 *   <li>A SigV4 request whose {@code x-amz-content-sha256} is a hash (what the SDK signs over plain
 *       HTTP) is refused when the body does not match it (400 XAmzContentSHA256Mismatch).</li>
 *   <li>PutObject, CompleteMultipartUpload, CopyObject accept If-None-Match {@code *} and If-Match;
 *       DeleteObject accepts If-Match on general purpose buckets since 2025-09. (S3Proxy since 2.8
 *       checks PutObject's, with a look of its own before writing, and CreateMultipartUpload's instead
 *       of CompleteMultipartUpload's.)</li>
 *   <li>S3-compatible servers may skip either check: {@link EndpointChecks} is what the deployment
 *       says of its endpoint.</li>
 *   <li>User metadata comes back lower-cased, and is not part of listings (ListObjectsV2 returns key,
 *       size, ETag and time only): {@link #list} yields {@link ObjectAttributes#NONE} and no MD5.</li>
 *   <li>Parts are 5 MiB – 5 GiB (the last may be smaller), at most 10 000; CopyObject copies at most 5 GiB.</li>
 * </ul>
 */
public final class S3Store implements ObjectStore, PresignedReads {

    static final int MAX_PARTS = 10_000;
    /** CopyObject's limit; larger objects are copied onto themselves part by part (UploadPartCopy). */
    static final long MAX_COPY_OBJECT_BYTES = 5L * 1024 * 1024 * 1024;
    /** Part size of a multipart self-copy: 10 000 × 512 MiB covers S3's 5 TiB object limit. */
    static final long SELF_COPY_PART_BYTES = 512L * 1024 * 1024;
    /** Pre-signed URLs signed with SigV4 are valid for at most 7 days. */
    static final Duration MAX_PRESIGN_VALIDITY = Duration.ofDays(7);

    private static final Logger log = LoggerFactory.getLogger(S3Store.class);
    private static final Pattern PLAIN_MD5_ETAG = Pattern.compile("[0-9a-fA-F]{32}");

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final long copyObjectLimit;
    private final long selfCopyPartBytes;
    private final EndpointChecks checks;
    private final boolean partsNeedMd5;
    private volatile boolean bucketConfirmed;

    /**
     * What the endpoint is known to check on every write. S3 checks both; S3-compatible servers differ,
     * and the deployment says what its endpoint does.
     *
     * @param conditionalWrites it refuses a write whose If-None-Match or If-Match does not hold (S3 since
     *                          2024-08; some S3-compatible servers ignore both)
     * @param payloadHashes     it refuses a body that does not match its signed {@code x-amz-content-sha256}
     *                          (S3, MinIO, S3Proxy; some S3-compatible servers do not recompute it). Used
     *                          only over plain HTTP, where the SDK signs bodies: then parts go without a
     *                          Content-MD5 of their own
     */
    public record EndpointChecks(boolean conditionalWrites, boolean payloadHashes) {
        /** What S3 itself checks. */
        public static final EndpointChecks AWS = new EndpointChecks(true, true);
    }

    /** A bucket on S3 itself, or on a server that checks what S3 checks. */
    public S3Store(S3Client s3, S3Presigner presigner, String bucket) {
        this(s3, presigner, bucket, EndpointChecks.AWS);
    }

    /**
     * @param s3        from {@link S3Clients#client}, or any S3Client (its checksum and retry settings are kept)
     * @param presigner from {@link S3Clients#presigner} with the same credentials and endpoint
     * @param checks    what the endpoint checks on writes
     */
    public S3Store(S3Client s3, S3Presigner presigner, String bucket, EndpointChecks checks) {
        this(s3, presigner, bucket, checks, MAX_COPY_OBJECT_BYTES, SELF_COPY_PART_BYTES);
    }

    /** Test seam: lower limits make the multipart self-copy path reachable with small objects. */
    S3Store(S3Client s3, S3Presigner presigner, String bucket, EndpointChecks checks,
            long copyObjectLimit, long selfCopyPartBytes) {
        if (s3 == null || presigner == null || checks == null) {
            throw new IllegalArgumentException("S3 client, presigner and endpoint checks must not be null");
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank, was '" + bucket + "'");
        }
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.copyObjectLimit = copyObjectLimit;
        this.selfCopyPartBytes = selfCopyPartBytes;
        this.checks = checks;
        // Over plain HTTP the SDK signs the SHA-256 of every body; over HTTPS it leaves bodies unsigned.
        boolean bodiesSigned = S3Clients.isPlainHttp(s3.serviceClientConfiguration().endpointOverride().orElse(null));
        this.partsNeedMd5 = !(bodiesSigned && checks.payloadHashes());
    }

    /**
     * Whether a part needs its MD5: over HTTPS, yes. Over plain HTTP, to an endpoint that checks payload
     * hashes, a part's signed SHA-256 is checked already, and an MD5 would be a second hash of the same
     * bytes: the largest CPU cost of a large copy.
     */
    boolean partsNeedMd5() {
        return partsNeedMd5;
    }

    @Override
    public StoreKind kind() {
        return StoreKind.S3;
    }

    @Override
    public boolean enforcesConditionalWrites() {
        return checks.conditionalWrites();
    }

    @Override
    public String account() {
        return null;
    }

    @Override
    public String container() {
        return bucket;
    }

    /** {@code s3://bucket/key}, with characters that are not legal in a URI path percent-encoded. */
    @Override
    public URI uriOf(String key) {
        requireKey(key);
        try {
            return new URI("s3", bucket, "/" + key, null);
        } catch (URISyntaxException impossible) {
            throw new IllegalArgumentException("cannot form a URI for bucket '" + bucket + "'", impossible);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        requireKey(key);
        try {
            return Optional.of(toInfo(key, s3.headObject(b -> b.bucket(bucket).key(key))));
        } catch (RuntimeException failure) {
            StoreException translated = S3Errors.translate(failure, "stat " + where(key));
            if (translated.kind() == StoreException.Kind.NOT_FOUND) {
                requireBucket();
                return Optional.empty();
            }
            throw translated;
        }
    }

    /**
     * A HEAD answer has no body, so a 404 cannot say whether the key or the bucket is missing. The
     * first 404 is followed by one HeadBucket; once the bucket is known to exist, a 404 means the key.
     */
    private void requireBucket() {
        if (bucketConfirmed) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(bucket));
            bucketConfirmed = true;
        } catch (RuntimeException failure) {
            StoreException translated = S3Errors.translate(failure, "check bucket " + bucket);
            if (translated.kind() == StoreException.Kind.NOT_FOUND) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, 404, "NoSuchBucket",
                        "bucket " + bucket + " does not exist", null, failure);
            }
            throw translated;
        }
    }

    @Override
    public OpenObject open(String key, ByteRange range, Precondition condition) {
        requireKey(key);
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.Version version -> request.versionId(version.versionId());
            case Precondition.IfMatch ifMatch -> request.ifMatch(quote(ifMatch.etag()));
            case Precondition.None none -> { }
            case Precondition.IfAbsent absent -> throw new IllegalArgumentException("IfAbsent makes no sense for a read");
        }
        if (range != null) {
            if (range.offset() < 0 || range.length() <= 0) {
                throw new IllegalArgumentException("range must have offset >= 0 and length > 0, was " + range);
            }
            request.range("bytes=" + range.offset() + "-" + (range.offset() + range.length() - 1));
        }
        String operation = "open " + where(key);
        try {
            ResponseInputStream<GetObjectResponse> body = s3.getObject(request.build());
            return new OpenObject(toInfo(key, body.response()), new AbortingStream(body));
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, operation);
        }
    }

    @Override
    public Map<String, String> readTags(String key) {
        requireKey(key);
        try {
            Map<String, String> tags = new LinkedHashMap<>();
            s3.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet().forEach(tag -> tags.put(tag.key(), tag.value()));
            return Map.copyOf(tags);
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, "read tags of " + where(key));
        }
    }

    @Override
    public WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition) {
        requireKey(key);
        ObjectAttributes attributes = spec.attributes();
        TargetOptions options = spec.options() == null ? TargetOptions.DEFAULTS : spec.options();
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(bucket).key(key)
                .contentLength((long) content.remaining())
                .contentMD5(base64(spec.contentMd5()))
                .contentType(attributes.contentType())
                .contentEncoding(attributes.contentEncoding())
                .contentLanguage(attributes.contentLanguage())
                .contentDisposition(attributes.contentDisposition())
                .cacheControl(attributes.cacheControl())
                .metadata(attributes.userMetadata())
                .storageClass(blankToNull(options.s3StorageClass()))
                .serverSideEncryption(blankToNull(options.s3ServerSideEncryption()))
                .ssekmsKeyId(blankToNull(options.s3KmsKeyId()));
        if (!attributes.tags().isEmpty()) {
            request.tagging(tagging(attributes.tags()));
        }
        switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.IfAbsent absent -> request.ifNoneMatch("*");
            case Precondition.IfMatch ifMatch -> request.ifMatch(quote(ifMatch.etag()));
            case Precondition.None none -> { }
            case Precondition.Version version -> throw new IllegalArgumentException("a write cannot target a version");
        }
        try {
            PutObjectResponse response = s3.putObject(request.build(), body(content));
            String etag = unquote(response.eTag());
            String encryption = response.serverSideEncryptionAsString();
            byte[] md5 = isPlainMd5(etag, encryption, response.sseCustomerAlgorithm()) ? HexFormat.of().parseHex(etag) : null;
            return new WriteResult(etag, response.versionId(), md5, encryption);
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, "put " + where(key));
        }
    }

    @Override
    public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
        requireKey(key);
        ObjectAttributes attributes = spec.attributes();
        TargetOptions options = spec.options() == null ? TargetOptions.DEFAULTS : spec.options();
        if (condition instanceof Precondition.Version) {
            throw new IllegalArgumentException("a write cannot target a version");
        }
        CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key)
                .contentType(attributes.contentType())
                .contentEncoding(attributes.contentEncoding())
                .contentLanguage(attributes.contentLanguage())
                .contentDisposition(attributes.contentDisposition())
                .cacheControl(attributes.cacheControl())
                .metadata(attributes.userMetadata())
                .storageClass(blankToNull(options.s3StorageClass()))
                .serverSideEncryption(blankToNull(options.s3ServerSideEncryption()))
                .ssekmsKeyId(blankToNull(options.s3KmsKeyId()));
        if (!attributes.tags().isEmpty()) {
            request.tagging(tagging(attributes.tags()));
        }
        try {
            String uploadId = s3.createMultipartUpload(request.build()).uploadId();
            return new MultipartUpload(key, uploadId, condition == null ? Precondition.NONE : condition);
        } catch (RuntimeException failure) {
            StoreException translated = S3Errors.translate(failure, "start multipart upload of " + where(key));
            if (answerLost(translated)) {
                // S3 may have created the upload, but its id never reached us, so nobody can abort it:
                // only the bucket's AbortIncompleteMultipartUpload lifecycle rule (deploy/aws) removes it.
                // It holds no parts, so it costs nothing meanwhile.
                log.warn("{}; if S3 created that upload before the answer was lost, the bucket's lifecycle rule"
                        + " aborts it (it holds no parts)", translated.getMessage());
            }
            throw translated;
        }
    }

    /** The request may have reached S3 (the connection failed after it was sent, not before). */
    private static boolean answerLost(StoreException failure) {
        if (failure.kind() != StoreException.Kind.UNAVAILABLE || failure.httpStatus() != 0) {
            return false;
        }
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return false;
            }
        }
        return true;
    }

    /**
     * Deletes under If-Match where given. A HEAD first makes "already gone" a NOT_FOUND on every
     * S3-compatible server (S3 itself answers 204 to deleting a missing key without If-Match); the
     * If-Match on the DELETE then closes the window between the two on AWS.
     */
    @Override
    public void delete(String key, Precondition condition) {
        requireKey(key);
        String etag = switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.IfMatch ifMatch -> quote(ifMatch.etag());
            case Precondition.None none -> null;
            case Precondition.IfAbsent absent -> throw new IllegalArgumentException("IfAbsent makes no sense for a delete");
            case Precondition.Version version -> throw new IllegalArgumentException("versions are not deleted here");
        };
        String operation = "delete " + where(key);
        try {
            s3.headObject(b -> b.bucket(bucket).key(key).ifMatch(etag));
            s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(etag));
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, operation);
        }
    }

    /**
     * Copies the object onto itself with the new metadata (S3 has no metadata-only update), keeping its
     * content headers, storage class, encryption and tags, under CopySourceIfMatch so a concurrent
     * overwrite is not clobbered. Objects over 5 GiB are copied part by part. A versioned bucket gets a
     * new version; object lock settings and ACLs are not carried over.
     */
    @Override
    public void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition) {
        requireKey(key);
        String requiredEtag = switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.IfMatch ifMatch -> quote(ifMatch.etag());
            case Precondition.None none -> null;
            case Precondition.IfAbsent absent -> throw new IllegalArgumentException("IfAbsent makes no sense here");
            case Precondition.Version version -> throw new IllegalArgumentException("versions are not addressed here");
        };
        String operation = "replace metadata of " + where(key);
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).ifMatch(requiredEtag));
            String pinnedEtag = quote(unquote(head.eTag()));
            if (head.contentLength() > copyObjectLimit) {
                replaceMetadataPartByPart(key, head, pinnedEtag, userMetadata);
                return;
            }
            s3.copyObject(CopyObjectRequest.builder()
                    .sourceBucket(bucket).sourceKey(key)
                    .destinationBucket(bucket).destinationKey(key)
                    .copySourceIfMatch(pinnedEtag)
                    .metadataDirective(MetadataDirective.REPLACE)
                    .metadata(userMetadata)
                    // Tags stay: TaggingDirective COPY is S3's default, and leaving the header out keeps
                    // S3-compatible servers that do not know it (S3Proxy) working.
                    .contentType(head.contentType())
                    .contentEncoding(head.contentEncoding())
                    .contentLanguage(head.contentLanguage())
                    .contentDisposition(head.contentDisposition())
                    .cacheControl(head.cacheControl())
                    .storageClass(head.storageClassAsString())
                    .serverSideEncryption(head.serverSideEncryptionAsString())
                    .ssekmsKeyId(head.ssekmsKeyId())
                    .bucketKeyEnabled(head.bucketKeyEnabled())
                    .build());
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, operation);
        }
    }

    private void replaceMetadataPartByPart(String key, HeadObjectResponse head, String pinnedEtag, Map<String, String> userMetadata) {
        Map<String, String> tags = tagsToCarry(key);
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key)
                .metadata(userMetadata)
                .contentType(head.contentType())
                .contentEncoding(head.contentEncoding())
                .contentLanguage(head.contentLanguage())
                .contentDisposition(head.contentDisposition())
                .cacheControl(head.cacheControl())
                .storageClass(head.storageClassAsString())
                .serverSideEncryption(head.serverSideEncryptionAsString())
                .ssekmsKeyId(head.ssekmsKeyId())
                .bucketKeyEnabled(head.bucketKeyEnabled());
        if (!tags.isEmpty()) {
            create.tagging(tagging(tags));
        }
        String uploadId = s3.createMultipartUpload(create.build()).uploadId();
        try {
            long size = head.contentLength();
            long partBytes = Math.max(selfCopyPartBytes, (size + MAX_PARTS - 1) / MAX_PARTS);
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += partBytes) {
                int partNumber = parts.size() + 1;
                String sourceRange = "bytes=" + offset + "-" + (Math.min(offset + partBytes, size) - 1);
                UploadPartCopyResponse copied = s3.uploadPartCopy(b -> b
                        .sourceBucket(bucket).sourceKey(key).copySourceIfMatch(pinnedEtag).copySourceRange(sourceRange)
                        .destinationBucket(bucket).destinationKey(key).uploadId(uploadId).partNumber(partNumber));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(copied.copyPartResult().eTag()).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).ifMatch(pinnedEtag)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException failure) {
            abortQuietly(key, uploadId);
            throw failure;
        }
    }

    /** UploadPartCopy carries bytes only, so the tags are read and set again on the new upload. */
    private Map<String, String> tagsToCarry(String key) {
        try {
            return readTags(key);
        } catch (StoreException failure) {
            if (failure.kind() == StoreException.Kind.UNSUPPORTED) {
                return Map.of(); // an S3-compatible server without tagging has no tags to lose
            }
            throw failure;
        }
    }

    /** Listings carry key, size, ETag and time only: no metadata, and no MD5 since SSE-KMS is not visible. */
    @Override
    public ListPage list(String prefix, String continuation, int pageSize) {
        if (pageSize < 1 || pageSize > 1000) {
            throw new IllegalArgumentException("pageSize must be within 1..1000, was " + pageSize);
        }
        try {
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket)
                    .prefix(prefix == null || prefix.isEmpty() ? null : prefix)
                    .continuationToken(continuation)
                    .maxKeys(pageSize));
            List<ObjectInfo> objects = new ArrayList<>(page.contents().size());
            for (S3Object object : page.contents()) {
                objects.add(new ObjectInfo(object.key(), object.size() == null ? 0 : object.size(), unquote(object.eTag()),
                        null, object.lastModified(), null, ObjectAttributes.NONE));
            }
            String next = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            return new ListPage(List.copyOf(objects), next);
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, "list " + bucket + "/" + (prefix == null ? "" : prefix));
        }
    }

    /**
     * Signed locally (no request is made); a {@link Precondition.Version} pins the version. A URL signed
     * with temporary credentials (STS web identity) stops working when they expire, whatever its validity.
     */
    @Override
    public URL presignGet(String key, Precondition condition, Duration validity) {
        requireKey(key);
        if (validity == null || validity.isNegative() || validity.isZero() || validity.compareTo(MAX_PRESIGN_VALIDITY) > 0) {
            throw new IllegalArgumentException("validity must be within (0, 7 days], was " + validity);
        }
        String versionId = condition instanceof Precondition.Version version ? version.versionId() : null;
        try {
            return presigner.presignGetObject(p -> p.signatureDuration(validity)
                    .getObjectRequest(g -> g.bucket(bucket).key(key).versionId(versionId))).url();
        } catch (RuntimeException failure) {
            throw S3Errors.translate(failure, "presign GET of " + where(key));
        }
    }

    /** Parts go to S3 as they come; nothing is visible until {@link #complete()}. */
    private final class MultipartUpload implements MultipartWrite {
        private final String key;
        private final String uploadId;
        private final Precondition condition;
        private final ConcurrentSkipListMap<Integer, String> partEtags = new ConcurrentSkipListMap<>();

        MultipartUpload(String key, String uploadId, Precondition condition) {
            this.key = key;
            this.uploadId = uploadId;
            this.condition = condition;
        }

        @Override
        public String uploadId() {
            return uploadId;
        }

        @Override
        public boolean needsPartMd5() {
            return partsNeedMd5();
        }

        @Override
        public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
            if (partNumber < 1 || partNumber > MAX_PARTS) {
                throw new IllegalArgumentException("partNumber must be within 1.." + MAX_PARTS + ", was " + partNumber);
            }
            if (md5 == null && needsPartMd5()) {
                throw new IllegalArgumentException("part " + partNumber + " of " + where(key)
                        + " needs its MD5 for the service to check");
            }
            try {
                UploadPartResponse response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(partNumber).contentLength((long) data.remaining()).contentMD5(base64(md5)), body(data));
                partEtags.put(partNumber, response.eTag());
            } catch (RuntimeException failure) {
                throw S3Errors.translate(failure, "upload part " + partNumber + " of " + where(key));
            }
        }

        @Override
        public WriteResult complete() {
            List<CompletedPart> parts = new ArrayList<>(partEtags.size());
            int expected = 1;
            for (Map.Entry<Integer, String> part : partEtags.entrySet()) {
                if (part.getKey() != expected) {
                    throw new IllegalStateException("part " + expected + " of " + where(key) + " was never uploaded");
                }
                parts.add(CompletedPart.builder().partNumber(part.getKey()).eTag(part.getValue()).build());
                expected++;
            }
            try {
                var response = s3.completeMultipartUpload(b -> {
                    b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts));
                    switch (condition) {
                        case Precondition.IfAbsent absent -> b.ifNoneMatch("*");
                        case Precondition.IfMatch ifMatch -> b.ifMatch(quote(ifMatch.etag()));
                        default -> { }
                    }
                });
                // A multipart ETag is not an MD5 of the object: no service MD5 to report. The encryption
                // says whether it is an MD5 of the part MD5s at all: not under SSE-KMS, which a bucket's
                // default encryption applies without the rule asking for it.
                return new WriteResult(unquote(response.eTag()), response.versionId(), null,
                        response.serverSideEncryptionAsString());
            } catch (RuntimeException failure) {
                throw S3Errors.translate(failure, "complete " + parts.size() + " parts of " + where(key));
            }
        }

        @Override
        public void abort() {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException failure) {
                StoreException translated = S3Errors.translate(failure, "abort upload of " + where(key));
                // NoSuchUpload: already aborted or completed, which is what abort wants.
                if (translated.kind() != StoreException.Kind.NOT_FOUND) {
                    throw translated;
                }
            }
        }
    }

    /**
     * Closing a half-read GET aborts the connection instead of draining the rest of a possibly huge body.
     * Reading errors stay IOExceptions: the resilience layer treats them as transient.
     */
    private static final class AbortingStream extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> body;
        private boolean finished;

        AbortingStream(ResponseInputStream<GetObjectResponse> body) {
            super(body);
            this.body = body;
        }

        @Override
        public int read() throws IOException {
            int value = super.read();
            finished |= value < 0;
            return value;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            int count = super.read(target, offset, length);
            finished |= count < 0;
            return count;
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                body.abort();
            }
            super.close();
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private void abortQuietly(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException ignored) {
            // The original failure matters more; a lifecycle rule on incomplete uploads cleans up the rest.
        }
    }

    private String where(String key) {
        return bucket + "/" + key;
    }

    private static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty, was '" + key + "'");
        }
    }

    private static RequestBody body(ByteBuffer content) {
        ByteBuffer snapshot = content.duplicate();
        return RequestBody.fromContentProvider(() -> new ByteBufferInputStream(snapshot), snapshot.remaining(),
                "application/octet-stream");
    }

    /** Only for non-empty tags: the SDK would otherwise send an empty x-amz-tagging header. */
    private static Tagging tagging(Map<String, String> tags) {
        List<Tag> tagSet = new ArrayList<>(tags.size());
        tags.forEach((k, v) -> tagSet.add(Tag.builder().key(k).value(v).build()));
        return Tagging.builder().tagSet(tagSet).build();
    }

    /** True when {@code etag} is known to be the object's MD5: a single-part, non-KMS, non-SSE-C upload. */
    static boolean isPlainMd5(String etag, String serverSideEncryption, String sseCustomerAlgorithm) {
        if (etag == null || !PLAIN_MD5_ETAG.matcher(etag).matches() || sseCustomerAlgorithm != null) {
            return false;
        }
        return serverSideEncryption == null || serverSideEncryption.equals(ServerSideEncryption.AES256.toString());
    }

    private static ObjectInfo toInfo(String key, HeadObjectResponse r) {
        String etag = unquote(r.eTag());
        byte[] md5 = isPlainMd5(etag, r.serverSideEncryptionAsString(), r.sseCustomerAlgorithm())
                ? HexFormat.of().parseHex(etag) : null;
        return new ObjectInfo(key, r.contentLength() == null ? 0 : r.contentLength(), etag, r.versionId(), r.lastModified(), md5,
                new ObjectAttributes(r.contentType(), r.contentEncoding(), r.contentLanguage(), r.contentDisposition(),
                        r.cacheControl(), r.metadata(), Map.of()));
    }

    /** Info from a GET: the full size comes from Content-Range when the read was ranged. */
    private static ObjectInfo toInfo(String key, GetObjectResponse r) {
        String etag = unquote(r.eTag());
        byte[] md5 = isPlainMd5(etag, r.serverSideEncryptionAsString(), r.sseCustomerAlgorithm())
                ? HexFormat.of().parseHex(etag) : null;
        long size = r.contentLength() == null ? 0 : r.contentLength();
        String contentRange = r.contentRange();
        if (contentRange != null && contentRange.lastIndexOf('/') >= 0 && !contentRange.endsWith("*")) {
            size = Long.parseLong(contentRange.substring(contentRange.lastIndexOf('/') + 1).trim());
        }
        return new ObjectInfo(key, size, etag, r.versionId(), r.lastModified(), md5,
                new ObjectAttributes(r.contentType(), r.contentEncoding(), r.contentLanguage(), r.contentDisposition(),
                        r.cacheControl(), r.metadata(), Map.of()));
    }

    private static String base64(byte[] md5) {
        return md5 == null ? null : Base64.getEncoder().encodeToString(md5);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    static String quote(String etag) {
        if (etag == null || etag.equals("*") || etag.startsWith("\"")) {
            return etag;
        }
        return "\"" + etag + "\"";
    }

    static String unquote(String etag) {
        if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }
}
