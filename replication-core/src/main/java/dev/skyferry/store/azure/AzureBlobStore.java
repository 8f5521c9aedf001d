package dev.skyferry.store.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.policy.AddHeadersFromContextPolicy;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobDownloadAsyncResponse;
import com.azure.storage.blob.models.BlobDownloadHeaders;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.DownloadRetryOptions;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobGetTagsOptions;
import com.azure.storage.blob.options.BlobUploadFromUrlOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockFromUrlOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlobAsyncClientBase;
import com.azure.storage.blob.specialized.BlockBlobClient;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreErrors;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.UrlCopyTarget;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One Azure Blob Storage container as an {@link ObjectStore}, writing block blobs only.
 *
 * <p>Facts this class relies on (Blob REST API docs):
 * <ul>
 *   <li>Put Blob checks the request's Content-MD5 and stores it as the blob's Content-MD5; Put Block
 *       checks its Content-MD5 per block; Put Block List checks a Content-MD5 of the list itself (sent
 *       by {@link BlockListMd5Policy}) but stores {@code x-ms-blob-content-md5} without checking it
 *       (azure-sdk-for-java #40065), so for staged writes the copier's own verification is what counts.</li>
 *   <li>Staged blocks that are never committed stay invisible (Get Blob Properties answers 404, listings
 *       skip them) and the service garbage-collects them after 7 days. There is no call to delete them,
 *       so {@link MultipartWrite#abort()} commits nothing and simply forgets them. Committing a blob
 *       discards all its uncommitted blocks, including another writer's (see InvalidBlockList in
 *       {@link StoreErrors#kindOf}).</li>
 *   <li>Block ids must all have the same length within one blob; every Skyferry block id is 41 characters
 *       before base64 ({@code sf-} + 32 hex upload id + {@code -} + 5-digit part number), so two Skyferry
 *       writers racing on one blob never trip over each other's id length.</li>
 *   <li>The access tier and tags travel on Put Blob / Put Block List; the encryption scope is a request
 *       header, chosen per write through {@link BlobClient#getEncryptionScopeClient}.</li>
 * </ul>
 */
public final class AzureBlobStore implements ObjectStore, UrlCopyTarget {

    /** Azure's limit on blocks per blob. */
    static final int MAX_BLOCKS = 50_000;
    /** Put Block / Put Block From URL limit: 4000 MiB. */
    static final long MAX_BLOCK_BYTES = 4000L * 1024 * 1024;
    /** Put Blob From URL source limit: 5000 MiB. */
    static final long MAX_PUT_FROM_URL_BYTES = 5000L * 1024 * 1024;
    /**
     * Request bodies go to the HTTP client in slices of this size. Netty copies each heap buffer it writes
     * into a direct buffer first: one 16 MiB part as one buffer costs a 16 MiB direct copy per part in
     * flight (outside the heap limit, and not pooled). Slices queue as 64 KiB direct copies instead: about
     * 340 of them (22 MB) at the peak of a 2 GiB copy with four blocks in flight (NMT, docs/benchmarks.md).
     * Smaller slices would hold less, at more writes per block.
     */
    static final int BODY_SLICE_BYTES = 64 * 1024;
    /** Body buffers a download holds ahead of its reader (each a few KiB to 64 KiB). */
    static final int DOWNLOAD_PREFETCH_BUFFERS = 8;
    /**
     * A broken body fails the read at once. The SDK would otherwise resume it up to 5 times with
     * exponential backoff (about 27 s in all) — a hidden retry layer under the copier's own, which
     * re-reads only the part that failed. S3 reads behave the same way.
     */
    private static final DownloadRetryOptions NO_BODY_RESUMES = new DownloadRetryOptions().setMaxRetryRequests(0);
    /** Put Block From URL requests in flight for one {@link #copyFromUrl}: the service does the transfer. */
    public static final int DEFAULT_URL_COPY_PARALLELISM = 8;

    private final BlobContainerClient container;
    private final BlobContainerAsyncClient asyncContainer;
    private final int urlCopyParallelism;

    /** @param container a client built by {@link AzureBlobClients} (or any builder: its retry policy is kept) */
    public AzureBlobStore(BlobContainerClient container) {
        this(container, DEFAULT_URL_COPY_PARALLELISM);
    }

    public AzureBlobStore(BlobContainerClient container, int urlCopyParallelism) {
        if (container == null) {
            throw new IllegalArgumentException("container client must not be null");
        }
        if (urlCopyParallelism < 1) {
            throw new IllegalArgumentException("urlCopyParallelism must be >= 1, was " + urlCopyParallelism);
        }
        this.container = AzureBlobClients.withBlockListMd5(container);
        this.asyncContainer = AzureBlobClients.asyncTwin(this.container);
        this.urlCopyParallelism = urlCopyParallelism;
    }

    @Override
    public StoreKind kind() {
        return StoreKind.AZURE_BLOB;
    }

    /** Azure answers a write under a precondition that does not hold with 412 (409 for a lease). */
    @Override
    public boolean enforcesConditionalWrites() {
        return true;
    }

    @Override
    public String account() {
        return container.getAccountName();
    }

    @Override
    public String container() {
        return container.getBlobContainerName();
    }

    /**
     * The blob's URL with each path segment percent-encoded (RFC 3986 unreserved characters kept, '/'
     * kept as the separator), the way Event Grid's {@code data.url} spells it. The SDK's own
     * {@code getBlobUrl()} encodes '/' as %2F, which reads badly in provenance and logs.
     */
    @Override
    public URI uriOf(String key) {
        requireKey(key);
        StringBuilder url = new StringBuilder(container.getBlobContainerUrl()).append('/');
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                url.append(c);
            } else {
                url.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return URI.create(url.toString());
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        try {
            BlobProperties properties = blob(key).getPropertiesWithResponse(null, null, Context.NONE).getValue();
            return Optional.of(toInfo(key, properties));
        } catch (RuntimeException failure) {
            StoreException translated = AzureErrors.translate(failure, "stat " + where(key), true);
            if (translated.kind() == StoreException.Kind.NOT_FOUND && !translated.containerMissing()) {
                return Optional.empty();
            }
            throw translated;
        }
    }

    @Override
    public OpenObject open(String key, ByteRange range, Precondition condition) {
        String operation = "open " + where(key);
        BlobAsyncClientBase client = asyncContainer.getBlobAsyncClient(key);
        BlobRequestConditions conditions = null;
        switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.Version version -> client = client.getVersionClient(version.versionId());
            case Precondition.IfMatch ifMatch -> conditions = new BlobRequestConditions().setIfMatch(ifMatch.etag());
            case Precondition.None none -> { }
            case Precondition.IfAbsent absent -> throw new IllegalArgumentException("IfAbsent makes no sense for a read");
        }
        BlobRange blobRange = null;
        if (range != null) {
            if (range.offset() < 0 || range.length() <= 0) {
                throw new IllegalArgumentException("range must have offset >= 0 and length > 0, was " + range);
            }
            blobRange = new BlobRange(range.offset(), range.length());
        }
        BlobDownloadAsyncResponse response;
        try {
            response = client.downloadStreamWithResponse(blobRange, NO_BODY_RESUMES, conditions, false).block();
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, operation, true);
        }
        ObjectInfo info = toInfo(key, response.getDeserializedHeaders(), blobRange != null);
        FluxInputStream content = new FluxInputStream(response.getValue(), DOWNLOAD_PREFETCH_BUFFERS, response,
                failure -> AzureErrors.translate(failure, operation, true));
        return new OpenObject(info, content);
    }

    @Override
    public Map<String, String> readTags(String key) {
        try {
            Map<String, String> tags = blob(key).getTagsWithResponse(new BlobGetTagsOptions(), null, Context.NONE).getValue();
            return tags == null ? Map.of() : Map.copyOf(tags);
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, "read tags of " + where(key), true);
        }
    }

    @Override
    public WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition) {
        ObjectAttributes attributes = spec.attributes();
        // Content-MD5 on Put Blob is checked by the service on receipt and then stored as the blob's MD5.
        BlockBlobSimpleUploadOptions options = new BlockBlobSimpleUploadOptions(inSlices(content))
                .setHeaders(httpHeaders(attributes, null))
                .setMetadata(emptyToNull(attributes.userMetadata()))
                .setTags(emptyToNull(attributes.tags()))
                .setTier(tier(spec))
                .setContentMd5(spec.contentMd5())
                .setRequestConditions(writeConditions(condition));
        try {
            BlockBlobItem item = blockBlob(key, spec).uploadWithResponse(options, null, Context.NONE).getValue();
            return new WriteResult(unquote(item.getETag()), item.getVersionId(), item.getContentMd5(), null);
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, "put " + where(key), true);
        }
    }

    @Override
    public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
        return new StagedBlockWrite(key, spec, writeConditions(condition));
    }

    @Override
    public void delete(String key, Precondition condition) {
        try {
            // Azure refuses to delete a blob that has snapshots unless told what to do with them; they
            // belong to the blob (and soft delete, where enabled, keeps both recoverable).
            blob(key).deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE, matchConditions(condition), null, Context.NONE);
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, "delete " + where(key), true);
        }
    }

    @Override
    public void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition) {
        try {
            // Set Blob Metadata replaces all metadata and keeps content, content headers, tags and tier.
            blob(key).setMetadataWithResponse(userMetadata, matchConditions(condition), null, Context.NONE);
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, "replace metadata of " + where(key), true);
        }
    }

    /**
     * Listings carry content headers, Content-MD5 and metadata; not tags. A hierarchical-namespace account's
     * directories are left out ({@link ObjectInfo#isDirectoryEntry()}): listed as blobs, backfill would copy each
     * one as an empty object and diff would report each one missing. A page may then hold fewer than
     * {@code pageSize} objects, or none, and still have a continuation.
     */
    @Override
    public ListPage list(String prefix, String continuation, int pageSize) {
        if (pageSize < 1 || pageSize > 5000) {
            throw new IllegalArgumentException("pageSize must be within 1..5000, was " + pageSize);
        }
        ListBlobsOptions options = new ListBlobsOptions()
                .setPrefix(prefix == null || prefix.isEmpty() ? null : prefix)
                .setMaxResultsPerPage(pageSize)
                .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        try {
            PagedResponse<BlobItem> page = container.listBlobs(options, continuation, null)
                    .iterableByPage(continuation, pageSize).iterator().next();
            List<ObjectInfo> objects = new ArrayList<>(page.getValue().size());
            for (BlobItem item : page.getValue()) {
                ObjectInfo info = toInfo(item);
                if (!info.isDirectoryEntry()) {
                    objects.add(info);
                }
            }
            String next = page.getContinuationToken();
            return new ListPage(List.copyOf(objects), next == null || next.isEmpty() ? null : next);
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, "list " + container() + "/" + (prefix == null ? "" : prefix), true);
        }
    }

    /**
     * Put Blob From URL for objects up to {@code blockSize}, else Put Block From URL per block (several
     * in flight) and Put Block List. The service fetches the bytes; nothing passes through this process.
     * Metadata reaches Put Blob From URL as raw {@code x-ms-meta-*} headers because the SDK's options
     * type has no metadata field although the REST operation accepts it.
     * The source URL (with its pre-signed query) is never put into messages or exception chains.
     */
    @Override
    public WriteResult copyFromUrl(String key, Supplier<URL> signedSource, long size, long blockSize, WriteSpec spec,
                                   Precondition condition) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
        if (blockSize < 1 || blockSize > MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("blockSize must be within 1.." + MAX_BLOCK_BYTES + ", was " + blockSize);
        }
        long blocks = (size + blockSize - 1) / blockSize;
        if (size > blockSize && blocks > MAX_BLOCKS) {
            throw new IllegalArgumentException("size " + size + " needs " + blocks + " blocks of " + blockSize
                    + " bytes; Azure allows " + MAX_BLOCKS + ": use a larger blockSize");
        }
        URL source = signedSource.get();
        String operation = "copy " + StoreErrors.withoutQuery(source) + " to " + where(key);
        BlobRequestConditions conditions = writeConditions(condition);
        BlockBlobClient target = blockBlob(key, spec);
        ObjectAttributes attributes = spec.attributes();
        try {
            if (size <= blockSize && size <= MAX_PUT_FROM_URL_BYTES) {
                BlobUploadFromUrlOptions options = new BlobUploadFromUrlOptions(source.toString())
                        // The blob keeps the MD5 as its Content-MD5, checked by the line below.
                        .setHeaders(httpHeaders(attributes, spec.contentMd5()))
                        .setTags(emptyToNull(attributes.tags()))
                        .setTier(tier(spec))
                        // x-ms-source-content-md5: the service checks the bytes it fetched against it.
                        .setContentMd5(spec.contentMd5())
                        .setCopySourceBlobProperties(false)
                        .setDestinationRequestConditions(conditions);
                BlockBlobItem item = target.uploadFromUrlWithResponse(options, null, metadataHeaders(attributes.userMetadata()))
                        .getValue();
                return new WriteResult(unquote(item.getETag()), item.getVersionId(), null, null);
            }
            String uploadId = newUploadId();
            List<BlobRange> ranges = sourceRanges(size, blockSize);
            List<String> blockIds = new ArrayList<>(ranges.size());
            for (int part = 1; part <= ranges.size(); part++) {
                blockIds.add(blockId(uploadId, part));
            }
            stageBlocksFromUrl(target, signedSource, ranges, blockIds);
            BlockBlobItem item = target.commitBlockListWithResponse(commitOptions(blockIds, spec, conditions), null, Context.NONE)
                    .getValue();
            return new WriteResult(unquote(item.getETag()), item.getVersionId(), null, null);
        } catch (SigningFailed signing) {
            throw signing.failure(); // the source's, not Azure's
        } catch (RuntimeException failure) {
            throw AzureErrors.translate(failure, operation, false);
        }
    }

    /** What signing a block's source URL threw, carried out of the staging threads untranslated. */
    private static final class SigningFailed extends RuntimeException {
        SigningFailed(RuntimeException failure) {
            super(null, failure, false, false);
        }

        RuntimeException failure() {
            return (RuntimeException) getCause();
        }
    }

    /** The source ranges of the blocks: {@code blockSize} each, the last one shorter, covering [0, size). */
    static List<BlobRange> sourceRanges(long size, long blockSize) {
        List<BlobRange> ranges = new ArrayList<>();
        for (long offset = 0; offset < size; offset += blockSize) {
            ranges.add(new BlobRange(offset, Math.min(blockSize, size - offset)));
        }
        return ranges;
    }

    private void stageBlocksFromUrl(BlockBlobClient target, Supplier<URL> signedSource, List<BlobRange> ranges,
                                    List<String> blockIds) {
        Semaphore inFlight = new Semaphore(urlCopyParallelism);
        AtomicReference<RuntimeException> firstFailure = new AtomicReference<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int index = 0; index < blockIds.size() && firstFailure.get() == null; index++) {
                String blockId = blockIds.get(index);
                BlobRange range = ranges.get(index);
                try {
                    inFlight.acquire(); // throws once the thread is interrupted, even with a slot free
                } catch (InterruptedException e) {
                    // Shutting down: stage no more blocks and cut off those in flight (close() waits for them);
                    // the blocks staged stay uncommitted, invisible. The caller answers Retry at once.
                    executor.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new StoreException(StoreException.Kind.UNAVAILABLE, 0, null, "interrupted after submitting "
                            + index + " of " + blockIds.size() + " blocks; none was committed", null, e);
                }
                executor.execute(() -> {
                    try {
                        if (firstFailure.get() == null) {
                            // Signed now, not when the copy began: the copy may outlast that URL's credentials.
                            target.stageBlockFromUrlWithResponse(new BlockBlobStageBlockFromUrlOptions(blockId,
                                    signed(signedSource).toString()).setSourceRange(range), null, Context.NONE);
                        }
                    } catch (RuntimeException failure) {
                        firstFailure.compareAndSet(null, failure);
                    } finally {
                        inFlight.release();
                    }
                });
            }
        } // close() waits for the blocks in flight
        if (firstFailure.get() != null) {
            throw firstFailure.get();
        }
    }

    private static URL signed(Supplier<URL> signedSource) {
        try {
            return signedSource.get();
        } catch (RuntimeException failure) {
            throw new SigningFailed(failure);
        }
    }

    /** Uploaded blocks stay uncommitted (invisible) until {@link #complete()}; see the class comment. */
    private final class StagedBlockWrite implements MultipartWrite {
        private final String key;
        private final WriteSpec spec;
        private final BlobRequestConditions conditions;
        private final BlockBlobClient target;
        private final String uploadId = newUploadId();
        private final ConcurrentSkipListSet<Integer> stagedParts = new ConcurrentSkipListSet<>();
        private volatile boolean aborted;

        StagedBlockWrite(String key, WriteSpec spec, BlobRequestConditions conditions) {
            this.key = key;
            this.spec = spec;
            this.conditions = conditions;
            this.target = blockBlob(key, spec);
        }

        @Override
        public String uploadId() {
            return uploadId;
        }

        /** No Azure credential signs a body (Shared Key, SAS, tokens): only a Content-MD5 has a block's bytes checked. */
        @Override
        public boolean needsPartMd5() {
            return true;
        }

        @Override
        public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
            if (partNumber < 1 || partNumber > MAX_BLOCKS) {
                throw new IllegalArgumentException("partNumber must be within 1.." + MAX_BLOCKS + ", was " + partNumber);
            }
            if (md5 == null) {
                throw new IllegalArgumentException("part " + partNumber + " of " + where(key)
                        + " needs its MD5 for the service to check");
            }
            if (aborted) {
                throw new IllegalStateException("upload " + uploadId + " of " + where(key) + " was aborted");
            }
            // Content-MD5 on Put Block is transactional: the service rejects a block whose bytes differ.
            BlockBlobStageBlockOptions options = new BlockBlobStageBlockOptions(blockId(uploadId, partNumber),
                    inSlices(data)).setContentMd5(md5);
            try {
                target.stageBlockWithResponse(options, null, Context.NONE);
            } catch (RuntimeException failure) {
                throw AzureErrors.translate(failure, "upload part " + partNumber + " of " + where(key), true);
            }
            stagedParts.add(partNumber);
        }

        @Override
        public WriteResult complete() {
            if (aborted) {
                throw new IllegalStateException("upload " + uploadId + " of " + where(key) + " was aborted");
            }
            List<String> blockIds = new ArrayList<>(stagedParts.size());
            int expected = 1;
            for (int part : stagedParts) {
                if (part != expected) {
                    throw new IllegalStateException("part " + expected + " of " + where(key) + " was never uploaded");
                }
                blockIds.add(blockId(uploadId, part));
                expected++;
            }
            try {
                BlockBlobItem item = target.commitBlockListWithResponse(commitOptions(blockIds, spec, conditions), null, Context.NONE)
                        .getValue();
                // The response's Content-MD5 is that of the block list XML (BlockListMd5Policy sent it), not of the blob.
                return new WriteResult(unquote(item.getETag()), item.getVersionId(), null, null);
            } catch (RuntimeException failure) {
                throw AzureErrors.translate(failure, "commit " + blockIds.size() + " blocks of " + where(key), true);
            }
        }

        @Override
        public void abort() {
            // Nothing to call: uncommitted blocks are invisible and garbage-collected by the service after 7 days.
            aborted = true;
        }
    }

    private BlockBlobCommitBlockListOptions commitOptions(List<String> blockIds, WriteSpec spec, BlobRequestConditions conditions) {
        ObjectAttributes attributes = spec.attributes();
        return new BlockBlobCommitBlockListOptions(blockIds)
                // Stored, not checked, by Put Block List: it records the whole-object MD5 the copier knows.
                .setHeaders(httpHeaders(attributes, spec.contentMd5()))
                .setMetadata(emptyToNull(attributes.userMetadata()))
                .setTags(emptyToNull(attributes.tags()))
                .setTier(tier(spec))
                .setRequestConditions(conditions);
    }

    // --- helpers -------------------------------------------------------------------------------

    /** The buffer's remaining bytes as views of {@link #BODY_SLICE_BYTES} each (no copy; position unchanged). */
    static BinaryData inSlices(ByteBuffer content) {
        ByteBuffer whole = content.duplicate();
        List<ByteBuffer> slices = new ArrayList<>(whole.remaining() / BODY_SLICE_BYTES + 1);
        while (whole.remaining() > BODY_SLICE_BYTES) {
            slices.add(whole.slice(whole.position(), BODY_SLICE_BYTES));
            whole.position(whole.position() + BODY_SLICE_BYTES);
        }
        slices.add(whole.slice());
        return BinaryData.fromListByteBuffer(slices);
    }

    private BlobClient blob(String key) {
        requireKey(key);
        return container.getBlobClient(key);
    }

    private BlockBlobClient blockBlob(String key, WriteSpec spec) {
        BlobClient client = blob(key);
        String scope = spec.options() == null ? null : spec.options().azureEncryptionScope();
        if (scope != null && !scope.isBlank()) {
            client = client.getEncryptionScopeClient(scope);
        }
        return client.getBlockBlobClient();
    }

    private String where(String key) {
        return container() + "/" + key;
    }

    private static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("blob name must not be empty, was '" + key + "'");
        }
    }

    /**
     * Block ids of one fixed length for every Skyferry write: Azure rejects mixed lengths within a blob.
     * Formatted in {@link Locale#ROOT}: under a default locale with other digits (fa, ar-EG, bn, ...) the
     * part number would not be ASCII, and every block of an upload would get the same id.
     */
    static String blockId(String uploadId, int partNumber) {
        String raw = "sf-" + uploadId + "-" + String.format(Locale.ROOT, "%05d", partNumber);
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    static String newUploadId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static AccessTier tier(WriteSpec spec) {
        String tier = spec.options() == null ? null : spec.options().azureAccessTier();
        return tier == null || tier.isBlank() ? null : AccessTier.fromString(tier);
    }

    private static BlobHttpHeaders httpHeaders(ObjectAttributes attributes, byte[] blobContentMd5) {
        return new BlobHttpHeaders()
                .setContentType(attributes.contentType())
                .setContentEncoding(attributes.contentEncoding())
                .setContentLanguage(attributes.contentLanguage())
                .setContentDisposition(attributes.contentDisposition())
                .setCacheControl(attributes.cacheControl())
                .setContentMd5(blobContentMd5);
    }

    /** Conditions for writes: If-Match or If-None-Match: *. */
    private static BlobRequestConditions writeConditions(Precondition condition) {
        return switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.None none -> null;
            case Precondition.IfMatch ifMatch -> new BlobRequestConditions().setIfMatch(ifMatch.etag());
            case Precondition.IfAbsent absent -> new BlobRequestConditions().setIfNoneMatch("*");
            case Precondition.Version version -> throw new IllegalArgumentException("a write cannot target a version");
        };
    }

    /** Conditions for delete and metadata updates, which act on an existing blob. */
    private static BlobRequestConditions matchConditions(Precondition condition) {
        return switch (condition == null ? Precondition.NONE : condition) {
            case Precondition.None none -> null;
            case Precondition.IfMatch ifMatch -> new BlobRequestConditions().setIfMatch(ifMatch.etag());
            case Precondition.IfAbsent absent -> throw new IllegalArgumentException("IfAbsent makes no sense here");
            case Precondition.Version version -> throw new IllegalArgumentException("versions are not addressed here");
        };
    }

    /** Raw x-ms-meta-* headers, added to one request by the pipeline's AddHeadersFromContextPolicy. */
    static Context metadataHeaders(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return Context.NONE;
        }
        HttpHeaders headers = new HttpHeaders();
        metadata.forEach((name, value) -> headers.set(HttpHeaderName.fromString("x-ms-meta-" + name), value));
        return new Context(AddHeadersFromContextPolicy.AZURE_REQUEST_HTTP_HEADERS_KEY, headers);
    }

    private static <K, V> Map<K, V> emptyToNull(Map<K, V> map) {
        return map == null || map.isEmpty() ? null : map;
    }

    static String unquote(String etag) {
        if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static byte[] md5OrNull(byte[] md5) {
        return md5 == null || md5.length == 0 ? null : md5;
    }

    private static ObjectInfo toInfo(String key, BlobProperties p) {
        return new ObjectInfo(key, p.getBlobSize(), unquote(p.getETag()), p.getVersionId(), instant(p.getLastModified()),
                md5OrNull(p.getContentMd5()),
                new ObjectAttributes(p.getContentType(), p.getContentEncoding(), p.getContentLanguage(),
                        p.getContentDisposition(), p.getCacheControl(), p.getMetadata(), Map.of()));
    }

    /**
     * Info from a GET's headers. A ranged GET's Content-MD5 (if any) is the range's; the whole blob's
     * MD5 then comes in x-ms-blob-content-md5, and the full size in Content-Range.
     */
    private static ObjectInfo toInfo(String key, BlobDownloadHeaders h, boolean ranged) {
        byte[] md5 = ranged ? h.getBlobContentMD5() : h.getContentMd5();
        if (md5 == null || md5.length == 0) {
            md5 = h.getBlobContentMD5();
        }
        return new ObjectInfo(key, totalSize(h), unquote(h.getETag()), h.getVersionId(), instant(h.getLastModified()),
                md5OrNull(md5),
                new ObjectAttributes(h.getContentType(), h.getContentEncoding(), h.getContentLanguage(),
                        h.getContentDisposition(), h.getCacheControl(), h.getMetadata(), Map.of()));
    }

    private static long totalSize(BlobDownloadHeaders h) {
        String contentRange = h.getContentRange();
        if (contentRange != null) {
            int slash = contentRange.lastIndexOf('/');
            if (slash >= 0 && !contentRange.endsWith("*")) {
                return Long.parseLong(contentRange.substring(slash + 1).trim());
            }
        }
        return h.getContentLength() == null ? 0 : h.getContentLength();
    }

    private static ObjectInfo toInfo(BlobItem item) {
        BlobItemProperties p = item.getProperties();
        return new ObjectInfo(item.getName(), p.getContentLength() == null ? 0 : p.getContentLength(),
                unquote(p.getETag()), item.getVersionId(), instant(p.getLastModified()), md5OrNull(p.getContentMd5()),
                new ObjectAttributes(p.getContentType(), p.getContentEncoding(), p.getContentLanguage(),
                        p.getContentDisposition(), p.getCacheControl(), item.getMetadata(), Map.of()));
    }
}
