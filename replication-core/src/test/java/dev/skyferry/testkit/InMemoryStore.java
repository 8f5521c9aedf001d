package dev.skyferry.testkit;

import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.PresignedReads;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.UrlCopyTarget;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A faithful in-memory {@link ObjectStore} for fast tests, behaving like S3 or Azure Blob as far as
 * the engine can observe: ETags (S3: MD5 for single puts, MD5-of-part-MD5s "-N" for multipart, random
 * under SSE-KMS; Azure: opaque and new on every write), Content-MD5 checks on puts and parts,
 * If-Match / If-None-Match on reads and writes, versions, multipart staging invisible until complete,
 * abort, user metadata (Azure's C# identifier names and 8 KiB, S3's lower-casing and 2 KiB), tags and
 * listing pages.
 *
 * <p>Every call is counted per {@link Op} so tests can assert request counts. Fault hooks inject what
 * the clouds do on a bad day: fail a given call or part, corrupt bytes on read or at rest, hold part
 * uploads until released, run code just before a GET (to change the source under a copy) or once
 * before the next call of a kind (a racing worker's write landing first).
 */
public class InMemoryStore implements ObjectStore {

    /** The store calls, as counted by {@link #requests(Op)}. */
    public enum Op {
        STAT, OPEN, READ_TAGS, PUT, START_MULTIPART, UPLOAD_PART, COMPLETE, ABORT, DELETE,
        REPLACE_METADATA, LIST, COPY_FROM_URL
    }

    private static final Pattern AZURE_METADATA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int S3_METADATA_LIMIT = 2048;
    private static final int AZURE_METADATA_LIMIT = 8192;
    private static final HexFormat HEX = HexFormat.of();
    /** Pre-signed URLs handed out by any store in this JVM, as a service would resolve them. */
    private static final Map<String, Presigned> PRESIGNED = new ConcurrentHashMap<>();

    private final StoreKind kind;
    private final String account;
    private final String container;
    private final boolean versioned;

    private final Object lock = new Object();
    private final TreeMap<String, Stored> objects = new TreeMap<>();
    private final Map<String, Stored> versions = new HashMap<>();
    private final Map<String, Upload> uploads = new LinkedHashMap<>();
    private final AtomicLong writeCounter = new AtomicLong();

    private final Map<Op, AtomicInteger> requestCounts = new EnumMap<>(Op.class);
    private final Map<Op, Deque<RuntimeException>> pendingFailures = new EnumMap<>(Op.class);
    private final Map<Integer, RuntimeException> partFailures = new ConcurrentHashMap<>();
    private volatile boolean corruptReads;
    /** Negative: GET streams end this many bytes early; positive: they run this many bytes long. */
    private volatile int readLengthDelta;
    private volatile Error readError;
    private volatile long readErrorAfterBytes;
    private volatile boolean corruptWrites;
    private volatile boolean conditionalWritesEnforced = true;
    private volatile boolean partsNeedMd5 = true;
    private volatile boolean kmsByDefault;
    private volatile Runnable beforeOpen = () -> {};
    private volatile Runnable afterStat = () -> {};
    private final Map<Op, Runnable> beforeNext = new ConcurrentHashMap<>();
    private volatile CountDownLatch partUploadGate;
    private final AtomicInteger partUploadsRunning = new AtomicInteger();
    private final AtomicInteger maxPartUploadsRunning = new AtomicInteger();
    private final AtomicInteger partsWithMd5 = new AtomicInteger();

    protected InMemoryStore(StoreKind kind, String account, String container, boolean versioned) {
        this.kind = kind;
        this.account = account;
        this.container = container;
        this.versioned = versioned;
        for (Op op : Op.values()) {
            requestCounts.put(op, new AtomicInteger());
            pendingFailures.put(op, new ArrayDeque<>());
        }
    }

    /** An S3 bucket without versioning. */
    public static InMemoryStore s3(String bucket) {
        return new InMemoryStore(StoreKind.S3, null, bucket, false);
    }

    /** An S3 bucket with versioning: every write gets a version id, older versions stay readable. */
    public static InMemoryStore s3Versioned(String bucket) {
        return new InMemoryStore(StoreKind.S3, null, bucket, true);
    }

    /** An Azure container. */
    public static InMemoryStore azure(String account, String container) {
        return new InMemoryStore(StoreKind.AZURE_BLOB, account, container, false);
    }

    /** An S3 bucket that hands out pre-signed GET URLs (for server-side copies into Azure). */
    public static PresigningStore s3WithPresignedReads(String bucket) {
        return new PresigningStore(bucket, false);
    }

    /** A versioned S3 bucket that hands out pre-signed GET URLs. */
    public static PresigningStore s3VersionedWithPresignedReads(String bucket) {
        return new PresigningStore(bucket, true);
    }

    /** An Azure container that can copy from a URL server-side (Put Blob / Put Block From URL). */
    public static UrlCopyingStore azureWithUrlCopy(String account, String container) {
        return new UrlCopyingStore(account, container);
    }

    // ---------------------------------------------------------------- ObjectStore

    @Override
    public StoreKind kind() {
        return kind;
    }

    @Override
    public boolean enforcesConditionalWrites() {
        return conditionalWritesEnforced;
    }

    @Override
    public String account() {
        return account;
    }

    @Override
    public String container() {
        return container;
    }

    @Override
    public URI uriOf(String key) {
        try {
            return kind == StoreKind.S3
                    ? new URI("s3", container, "/" + key, null)
                    : new URI("https", account + ".blob.core.windows.net", "/" + container + "/" + key, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("key cannot form a URI: " + key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        count(Op.STAT);
        Optional<ObjectInfo> answer;
        synchronized (lock) {
            answer = Optional.ofNullable(objects.get(key)).map(Stored::info);
        }
        afterStat.run();
        return answer;
    }

    @Override
    public OpenObject open(String key, ByteRange range, Precondition condition) {
        count(Op.OPEN);
        beforeOpen.run();
        Stored stored;
        synchronized (lock) {
            stored = readable(key, condition);
        }
        byte[] bytes = stored.content;
        if (range != null) {
            int from = (int) Math.min(range.offset(), bytes.length);
            int to = (int) Math.min(range.offset() + range.length(), bytes.length);
            bytes = Arrays.copyOfRange(bytes, from, to);
        }
        if (corruptReads && bytes.length > 0) {
            bytes = flipOneByte(bytes);
        }
        if (readLengthDelta != 0) {
            bytes = Arrays.copyOf(bytes, Math.max(0, bytes.length + readLengthDelta));
        }
        InputStream content = new ByteArrayInputStream(bytes);
        return new OpenObject(stored.info(), readError == null ? content : failingAfter(content, readErrorAfterBytes, readError));
    }

    private static InputStream failingAfter(InputStream in, long bytes, Error error) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= bytes) {
                    throw error;
                }
                int n = super.read(b, off, (int) Math.min(len, bytes - read));
                read += Math.max(0, n);
                return n;
            }
        };
    }

    @Override
    public Map<String, String> readTags(String key) {
        count(Op.READ_TAGS);
        synchronized (lock) {
            Stored stored = objects.get(key);
            if (stored == null) {
                throw notFound(key);
            }
            return stored.attributes.tags();
        }
    }

    @Override
    public WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition) {
        count(Op.PUT);
        byte[] bytes = toArray(content);
        byte[] receivedMd5 = md5(bytes);
        if (spec.contentMd5() != null && !Arrays.equals(spec.contentMd5(), receivedMd5)) {
            throw badDigest("Content-MD5 does not match the body");
        }
        ObjectAttributes attributes = acceptAttributes(spec.attributes());
        boolean kms = isKms(spec);
        synchronized (lock) {
            checkWriteCondition(key, condition);
            byte[] stored = corruptWrites ? flipOneByte(bytes) : bytes;
            byte[] storedMd5 = md5(stored);
            String etag = kind == StoreKind.S3 ? (kms ? randomHex() : HEX.formatHex(storedMd5)) : nextAzureEtag();
            // S3 exposes the MD5 only through a non-KMS single-put ETag; Azure computes Content-MD5 on Put Blob.
            byte[] objectMd5 = kind == StoreKind.S3 && kms ? null : storedMd5;
            Stored result = store(key, stored, etag, objectMd5, attributes, spec.options());
            return new WriteResult(etag, result.versionId, objectMd5, encryptionOf(spec));
        }
    }

    @Override
    public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
        count(Op.START_MULTIPART);
        ObjectAttributes attributes = acceptAttributes(spec.attributes());
        synchronized (lock) {
            Upload upload = new Upload(UUID.randomUUID().toString(), key, spec, attributes, condition);
            uploads.put(upload.id, upload);
            return upload;
        }
    }

    @Override
    public void delete(String key, Precondition condition) {
        count(Op.DELETE);
        synchronized (lock) {
            Stored current = objects.get(key);
            if (current == null) {
                throw notFound(key);
            }
            checkWriteCondition(key, condition);
            objects.remove(key);
        }
    }

    /**
     * DeleteObject with a version id, on a versioned bucket: that version is gone for good, and if it
     * was the key's current one, the newest version left becomes current (none: the key is gone).
     */
    public void deleteVersion(String key, String versionId) {
        synchronized (lock) {
            Stored deleted = versions.remove(versionId);
            if (deleted == null || !deleted.key.equals(key)) {
                throw new IllegalArgumentException("no version " + versionId + " of " + key);
            }
            if (objects.get(key) == deleted) {
                newestVersionOf(key).ifPresentOrElse(newest -> objects.put(key, newest), () -> objects.remove(key));
            }
        }
    }

    /** DeleteObject of the delete marker a plain delete left on a versioned bucket: the newest version is current again. */
    public void removeDeleteMarker(String key) {
        synchronized (lock) {
            if (objects.containsKey(key)) {
                throw new IllegalStateException(key + " has a current version, not a delete marker");
            }
            objects.put(key, newestVersionOf(key).orElseThrow(() -> new IllegalStateException("no version of " + key)));
        }
    }

    private Optional<Stored> newestVersionOf(String key) {
        return versions.values().stream().filter(stored -> stored.key.equals(key))
                .max(Comparator.comparingLong(stored -> Long.parseLong(stored.versionId.substring(1))));
    }

    @Override
    public void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition) {
        count(Op.REPLACE_METADATA);
        synchronized (lock) {
            Stored current = objects.get(key);
            if (current == null) {
                throw notFound(key);
            }
            checkWriteCondition(key, condition);
            ObjectAttributes attributes = acceptAttributes(current.attributes.withUserMetadata(userMetadata));
            String etag = kind == StoreKind.S3 ? current.etag : nextAzureEtag();
            store(key, current.content, etag, current.contentMd5, attributes, current.options);
        }
    }

    @Override
    public ListPage list(String prefix, String continuation, int pageSize) {
        count(Op.LIST);
        synchronized (lock) {
            List<ObjectInfo> page = new ArrayList<>();
            String last = null;
            var candidates = continuation == null ? objects.tailMap(prefix, true) : objects.tailMap(continuation, false);
            for (Stored stored : candidates.values()) {
                if (!stored.key.startsWith(prefix)) {
                    if (stored.key.compareTo(prefix) > 0) {
                        break;
                    }
                    continue;
                }
                if (page.size() == pageSize) {
                    return new ListPage(page, last);
                }
                page.add(stored.info());
                last = stored.key;
            }
            return new ListPage(page, null);
        }
    }

    // ---------------------------------------------------------------- fault hooks

    /** The next call of {@code op} throws {@code failure} (calls queue up: one failure per call). */
    public InMemoryStore failNext(Op op, RuntimeException failure) {
        synchronized (lock) {
            pendingFailures.get(op).add(failure);
        }
        return this;
    }

    /** Every upload of part {@code partNumber} throws {@code failure}. */
    public InMemoryStore failUploadOfPart(int partNumber, RuntimeException failure) {
        partFailures.put(partNumber, failure);
        return this;
    }

    /** GET streams throw {@code error} once {@code bytes} have been read (an OutOfMemoryError mid-read, say). */
    public InMemoryStore readsFailAfter(long bytes, Error error) {
        readErrorAfterBytes = bytes;
        readError = error;
        return this;
    }

    /** GET streams end {@code bytes} early, the object's info unchanged: a body cut short on the way. */
    public InMemoryStore readsEndEarlyBy(int bytes) {
        readLengthDelta = -bytes;
        return this;
    }

    /** GET streams run {@code bytes} past the object's size. */
    public InMemoryStore readsRunLongBy(int bytes) {
        readLengthDelta = bytes;
        return this;
    }

    /** GET streams return one flipped byte: corruption on the way from the source. */
    public InMemoryStore corruptReads() {
        corruptReads = true;
        return this;
    }

    /**
     * Writes pass their Content-MD5 checks but store one flipped byte, and report ETag / Content-MD5
     * of what they stored: a replica that went bad inside the target.
     */
    public InMemoryStore corruptWrites() {
        corruptWrites = true;
        return this;
    }

    /**
     * Writes ignore their If-None-Match / If-Match, and the store says so: an S3-compatible server
     * without conditional writes.
     */
    public InMemoryStore ignoringConditionalWrites() {
        conditionalWritesEnforced = false;
        return this;
    }

    /**
     * Parts go without an MD5, their bytes checked by other means: S3 over plain HTTP, where the
     * signed payload hash is checked. Writes still check an MD5 that is sent.
     */
    public InMemoryStore checkingPartsWithoutMd5() {
        partsNeedMd5 = false;
        return this;
    }

    /**
     * An S3 bucket whose default encryption is SSE-KMS: every write is KMS-encrypted (its ETag no MD5)
     * and says so, whether or not it asked for it.
     */
    public InMemoryStore encryptingWithKmsByDefault() {
        kmsByDefault = true;
        return this;
    }

    /** Runs {@code action} at the start of every GET, before the store looks at the object. */
    public InMemoryStore beforeOpen(Runnable action) {
        beforeOpen = action;
        return this;
    }

    /** Runs {@code action} after every HEAD has read its answer, before the caller gets it. */
    public InMemoryStore afterStat(Runnable action) {
        afterStat = action;
        return this;
    }

    /**
     * Runs {@code action} once, at the start of the next {@code op} call, before the store does anything:
     * e.g. a racing worker's replica landing just before this worker's put, or just before its HEAD.
     */
    public InMemoryStore beforeNext(Op op, Runnable action) {
        beforeNext.put(op, action);
        return this;
    }

    /** Part uploads wait until the returned latch is counted down (or their thread is interrupted). */
    public CountDownLatch holdPartUploads() {
        CountDownLatch gate = new CountDownLatch(1);
        partUploadGate = gate;
        return gate;
    }

    // ---------------------------------------------------------------- inspection (not counted)

    public int requests(Op op) {
        return requestCounts.get(op).get();
    }

    public int totalRequests() {
        return requestCounts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The calls made so far, for failure messages, e.g. {@code {STAT=1, OPEN=1}}. */
    public Map<Op, Integer> requestSummary() {
        Map<Op, Integer> summary = new EnumMap<>(Op.class);
        requestCounts.forEach((op, n) -> {
            if (n.get() > 0) {
                summary.put(op, n.get());
            }
        });
        return summary;
    }

    public void resetRequestCounts() {
        requestCounts.values().forEach(n -> n.set(0));
    }

    /** Multipart writes started and neither completed nor aborted. */
    public int openMultipartWrites() {
        synchronized (lock) {
            return (int) uploads.values().stream().filter(u -> u.state == UploadState.OPEN).count();
        }
    }

    /** The most part uploads that ran at the same time. */
    public int maxConcurrentPartUploads() {
        return maxPartUploadsRunning.get();
    }

    /** Part uploads that came with an MD5. */
    public int partsReceivedWithMd5() {
        return partsWithMd5.get();
    }

    public boolean exists(String key) {
        synchronized (lock) {
            return objects.containsKey(key);
        }
    }

    public byte[] contentOf(String key) {
        synchronized (lock) {
            Stored stored = objects.get(key);
            if (stored == null) {
                throw new AssertionError("no object " + key + " in " + container + "; keys: " + objects.keySet());
            }
            return stored.content.clone();
        }
    }

    public ObjectInfo infoOf(String key) {
        synchronized (lock) {
            Stored stored = objects.get(key);
            if (stored == null) {
                throw new AssertionError("no object " + key + " in " + container + "; keys: " + objects.keySet());
            }
            return stored.info();
        }
    }

    /** The target options the object was last written with; null for seeded objects. */
    public TargetOptions writeOptionsOf(String key) {
        synchronized (lock) {
            Stored stored = objects.get(key);
            if (stored == null) {
                throw new AssertionError("no object " + key + " in " + container + "; keys: " + objects.keySet());
            }
            return stored.options;
        }
    }

    public List<String> keys() {
        synchronized (lock) {
            return List.copyOf(objects.keySet());
        }
    }

    // ---------------------------------------------------------------- seeding (not counted)

    /** Writes an object as a client's single put would (S3: MD5 ETag; Azure: Content-MD5 computed). */
    public ObjectInfo seed(String key, byte[] content, ObjectAttributes attributes) {
        synchronized (lock) {
            byte[] digest = md5(content);
            String etag = kind == StoreKind.S3 ? HEX.formatHex(digest) : nextAzureEtag();
            return store(key, content.clone(), etag, digest, acceptAttributes(attributes)).info();
        }
    }

    public ObjectInfo seed(String key, byte[] content) {
        return seed(key, content, ObjectAttributes.NONE);
    }

    public ObjectInfo seed(String key, String content) {
        return seed(key, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes an object as a client's multipart upload would: S3 gives it a part ETag and no MD5,
     * Azure a block blob without Content-MD5 (unless the client set one).
     */
    public ObjectInfo seedMultipart(String key, byte[] content, int partSize, ObjectAttributes attributes) {
        synchronized (lock) {
            List<byte[]> partMd5s = new ArrayList<>();
            for (int offset = 0; offset < content.length; offset += partSize) {
                partMd5s.add(md5(Arrays.copyOfRange(content, offset, Math.min(content.length, offset + partSize))));
            }
            String etag = kind == StoreKind.S3 ? multipartEtag(partMd5s) : nextAzureEtag();
            return store(key, content.clone(), etag, null, acceptAttributes(attributes)).info();
        }
    }

    // ---------------------------------------------------------------- internals

    private void count(Op op) {
        requestCounts.get(op).incrementAndGet();
        Runnable once = beforeNext.remove(op);
        if (once != null) {
            once.run();
        }
        RuntimeException failure;
        synchronized (lock) {
            failure = pendingFailures.get(op).poll();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Stored readable(String key, Precondition condition) {
        if (condition instanceof Precondition.Version version) {
            Stored stored = versions.get(version.versionId());
            if (stored == null || !stored.key.equals(key)) {
                throw new StoreException(Kind.NOT_FOUND, 404, kind == StoreKind.S3 ? "NoSuchVersion" : "BlobNotFound",
                        "no version " + version.versionId() + " of " + key, null, null);
            }
            return stored;
        }
        Stored stored = objects.get(key);
        if (stored == null) {
            throw notFound(key);
        }
        if (condition instanceof Precondition.IfMatch ifMatch && !ifMatch.etag().equals(stored.etag)) {
            throw preconditionFailed(key, "If-Match " + ifMatch.etag() + " but ETag is " + stored.etag);
        }
        return stored;
    }

    private void checkWriteCondition(String key, Precondition condition) {
        if (!conditionalWritesEnforced && !(condition instanceof Precondition.Version)) {
            return;
        }
        Stored current = objects.get(key);
        switch (condition) {
            case Precondition.IfAbsent ignored -> {
                if (current != null) {
                    throw preconditionFailed(key, "If-None-Match * but the object exists");
                }
            }
            case Precondition.IfMatch ifMatch -> {
                if (current == null) {
                    throw notFound(key);
                }
                if (!ifMatch.etag().equals(current.etag)) {
                    throw preconditionFailed(key, "If-Match " + ifMatch.etag() + " but ETag is " + current.etag);
                }
            }
            case Precondition.Version version -> throw new StoreException(Kind.BAD_REQUEST, 400, "InvalidArgument",
                    "a version id is not a write condition", null, null);
            case Precondition.None none -> { }
        }
    }

    private Stored store(String key, byte[] content, String etag, byte[] contentMd5, ObjectAttributes attributes) {
        return store(key, content, etag, contentMd5, attributes, null);
    }

    private Stored store(String key, byte[] content, String etag, byte[] contentMd5, ObjectAttributes attributes,
                         TargetOptions options) {
        String versionId = versioned ? "v" + writeCounter.incrementAndGet() : null;
        Stored stored = new Stored(key, content, etag, versionId, Instant.now(), contentMd5, attributes, options);
        objects.put(key, stored);
        if (versionId != null) {
            versions.put(versionId, stored);
        }
        return stored;
    }

    /** Applies the service's metadata and tag rules, as the service would on a write. */
    private ObjectAttributes acceptAttributes(ObjectAttributes attributes) {
        Map<String, String> metadata = new LinkedHashMap<>();
        int size = 0;
        for (Map.Entry<String, String> entry : attributes.userMetadata().entrySet()) {
            String name = entry.getKey();
            if (kind == StoreKind.AZURE_BLOB && !AZURE_METADATA_NAME.matcher(name).matches()) {
                throw new StoreException(Kind.BAD_REQUEST, 400, "InvalidMetadata",
                        "metadata name is not a C# identifier: " + name, null, null);
            }
            size += name.getBytes(StandardCharsets.UTF_8).length + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
            metadata.put(kind == StoreKind.S3 ? name.toLowerCase(Locale.ROOT) : name, entry.getValue());
        }
        int limit = kind == StoreKind.S3 ? S3_METADATA_LIMIT : AZURE_METADATA_LIMIT;
        if (size > limit) {
            throw new StoreException(Kind.BAD_REQUEST, 400, "MetadataTooLarge",
                    "user metadata is " + size + " bytes, the limit is " + limit, null, null);
        }
        if (attributes.tags().size() > 10) {
            throw new StoreException(Kind.BAD_REQUEST, 400, kind == StoreKind.S3 ? "BadRequest" : "InvalidTag",
                    "more than 10 tags: " + attributes.tags().size(), null, null);
        }
        return attributes.withUserMetadata(metadata);
    }

    private boolean isKms(WriteSpec spec) {
        return kind == StoreKind.S3 && (kmsByDefault || (spec.options() != null && spec.options().s3ServerSideEncryption() != null
                && spec.options().s3ServerSideEncryption().startsWith("aws:kms")));
    }

    /**
     * What S3 answers in x-amz-server-side-encryption: what the write asked for, else the bucket's
     * default (every S3 object is encrypted, with SSE-S3 at least).
     */
    private String encryptionOf(WriteSpec spec) {
        if (kind != StoreKind.S3) {
            return null;
        }
        String requested = spec.options() == null ? null : spec.options().s3ServerSideEncryption();
        if (requested != null) {
            return requested;
        }
        return kmsByDefault ? "aws:kms" : "AES256";
    }

    private String nextAzureEtag() {
        return "0x8DC" + String.format(Locale.ROOT, "%012X", writeCounter.incrementAndGet());
    }

    private StoreException notFound(String key) {
        return new StoreException(Kind.NOT_FOUND, 404, kind == StoreKind.S3 ? "NoSuchKey" : "BlobNotFound",
                "no object " + key, null, null);
    }

    private StoreException preconditionFailed(String key, String why) {
        return new StoreException(Kind.PRECONDITION_FAILED, 412, kind == StoreKind.S3 ? "PreconditionFailed" : "ConditionNotMet",
                key + ": " + why, null, null);
    }

    private StoreException badDigest(String why) {
        return new StoreException(Kind.CHECKSUM_REFUSED, 400, kind == StoreKind.S3 ? "BadDigest" : "Md5Mismatch", why, null, null);
    }

    private static byte[] toArray(ByteBuffer content) {
        ByteBuffer view = content.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

    private static byte[] flipOneByte(byte[] bytes) {
        byte[] copy = bytes.clone();
        copy[copy.length / 2] ^= 0x01;
        return copy;
    }

    static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String multipartEtag(List<byte[]> partMd5s) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            partMd5s.forEach(md5::update);
            return HEX.formatHex(md5.digest()) + "-" + partMd5s.size();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomHex() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private record Stored(String key, byte[] content, String etag, String versionId, Instant lastModified,
                          byte[] contentMd5, ObjectAttributes attributes, TargetOptions options) {
        ObjectInfo info() {
            return new ObjectInfo(key, content.length, etag, versionId, lastModified,
                    contentMd5 == null ? null : contentMd5.clone(), attributes);
        }
    }

    private enum UploadState { OPEN, COMPLETED, ABORTED }

    private final class Upload implements MultipartWrite {
        private final String id;
        private final String key;
        private final WriteSpec spec;
        private final ObjectAttributes attributes;
        private final Precondition condition;
        private final TreeMap<Integer, byte[]> parts = new TreeMap<>();
        private UploadState state = UploadState.OPEN;

        Upload(String id, String key, WriteSpec spec, ObjectAttributes attributes, Precondition condition) {
            this.id = id;
            this.key = key;
            this.spec = spec;
            this.attributes = attributes;
            this.condition = condition;
        }

        @Override
        public String uploadId() {
            return id;
        }

        @Override
        public boolean needsPartMd5() {
            return partsNeedMd5;
        }

        @Override
        public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
            if (md5 == null && partsNeedMd5) {
                throw new IllegalArgumentException("part " + partNumber + " of " + key + " needs its MD5");
            }
            count(Op.UPLOAD_PART);
            if (md5 != null) {
                partsWithMd5.incrementAndGet();
            }
            int running = partUploadsRunning.incrementAndGet();
            maxPartUploadsRunning.accumulateAndGet(running, Math::max);
            try {
                awaitGate();
                RuntimeException failure = partFailures.get(partNumber);
                if (failure != null) {
                    throw failure;
                }
                byte[] bytes = toArray(data);
                if (md5 != null && !Arrays.equals(md5, InMemoryStore.md5(bytes))) {
                    throw badDigest("part " + partNumber + ": Content-MD5 does not match the body");
                }
                synchronized (lock) {
                    if (state != UploadState.OPEN) {
                        throw new StoreException(Kind.NOT_FOUND, 404, "NoSuchUpload", "upload " + id + " is " + state, null, null);
                    }
                    parts.put(partNumber, bytes);
                }
            } finally {
                partUploadsRunning.decrementAndGet();
            }
        }

        private void awaitGate() {
            CountDownLatch gate = partUploadGate;
            if (gate == null) {
                return;
            }
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // What the SDKs do when their thread is interrupted mid-request.
                throw new StoreException(Kind.UNAVAILABLE, "part upload interrupted", e);
            }
        }

        @Override
        public WriteResult complete() {
            count(Op.COMPLETE);
            synchronized (lock) {
                if (state != UploadState.OPEN) {
                    throw new StoreException(Kind.NOT_FOUND, 404, "NoSuchUpload", "upload " + id + " is " + state, null, null);
                }
                checkWriteCondition(key, condition);
                List<byte[]> partMd5s = new ArrayList<>();
                ByteBuffer whole = ByteBuffer.allocate(parts.values().stream().mapToInt(p -> p.length).sum());
                for (byte[] part : parts.values()) {
                    partMd5s.add(md5(part));
                    whole.put(part);
                }
                byte[] stored = corruptWrites ? flipOneByte(whole.array()) : whole.array();
                if (corruptWrites && !partMd5s.isEmpty()) {
                    // The service assembled something else than what was uploaded.
                    partMd5s.set(partMd5s.size() / 2, md5(stored));
                }
                String etag = kind == StoreKind.S3 ? (isKms(spec) ? randomHex() + "-" + parts.size() : multipartEtag(partMd5s))
                        : nextAzureEtag();
                // Azure stores the Content-MD5 the client sets on commit, unchecked; S3 has none for multipart.
                byte[] objectMd5 = kind == StoreKind.AZURE_BLOB ? spec.contentMd5() : null;
                Stored result = store(key, stored, etag, objectMd5, attributes, spec.options());
                state = UploadState.COMPLETED;
                return new WriteResult(etag, result.versionId, null, encryptionOf(spec));
            }
        }

        @Override
        public void abort() {
            count(Op.ABORT);
            synchronized (lock) {
                if (state == UploadState.OPEN) {
                    state = UploadState.ABORTED;
                    parts.clear();
                }
            }
        }
    }

    private record Presigned(InMemoryStore store, String key, String versionId) {}

    /** An S3 bucket that can hand out pre-signed GET URLs. */
    public static final class PresigningStore extends InMemoryStore implements PresignedReads {
        private PresigningStore(String bucket, boolean versioned) {
            super(StoreKind.S3, null, bucket, versioned);
        }

        @Override
        public URL presignGet(String key, Precondition condition, Duration validity) {
            String versionId = condition instanceof Precondition.Version v ? v.versionId() : null;
            // As long as a real one for the same key: the key, URL-encoded, is part of its path.
            String url = "https://presigned.invalid/" + container() + "/" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                    + "?X-Amz-Nonce=" + UUID.randomUUID() + "&X-Amz-Signature=" + randomHex();
            PRESIGNED.put(url, new Presigned(this, key, versionId));
            try {
                return URI.create(url).toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Every URL signed so far stops working, as URLs signed with temporary credentials do when those
         * expire, whatever validity they were signed for.
         */
        public void expireSignedUrls() {
            PRESIGNED.values().removeIf(presigned -> presigned.store == this);
        }
    }

    /** An Azure container that can copy from a URL, as Put Blob From URL / Put Block From URL do. */
    public static final class UrlCopyingStore extends InMemoryStore implements UrlCopyTarget {
        /** Azure's limit on blocks per blob. */
        private static final int MAX_BLOCKS = 50_000;

        private volatile RuntimeException urlCopyFailure;
        private volatile Runnable whileCopying = () -> {};
        private volatile Runnable betweenBlocks = () -> {};

        private UrlCopyingStore(String account, String container) {
            super(StoreKind.AZURE_BLOB, account, container, false);
        }

        /** Every URL copy throws {@code failure}, e.g. UNSUPPORTED or CannotVerifyCopySource. */
        public UrlCopyingStore failUrlCopies(RuntimeException failure) {
            urlCopyFailure = failure;
            return this;
        }

        /**
         * Runs {@code action} inside every URL copy, after the service has fetched the source and before
         * it commits the replica: e.g. the source overwritten while Azure copies it.
         */
        public UrlCopyingStore whileCopying(Runnable action) {
            whileCopying = action;
            return this;
        }

        /** Runs {@code action} between the block fetches of a URL copy: e.g. the source's signatures expiring. */
        public UrlCopyingStore betweenBlocks(Runnable action) {
            betweenBlocks = action;
            return this;
        }

        @Override
        public WriteResult copyFromUrl(String key, Supplier<URL> signedSource, long size, long blockSize, WriteSpec spec,
                                       Precondition condition) {
            // Refused before any request, as AzureBlobStore refuses it.
            if (size > blockSize && (size + blockSize - 1) / blockSize > MAX_BLOCKS) {
                throw new IllegalArgumentException("size " + size + " needs more than " + MAX_BLOCKS + " blocks of "
                        + blockSize + " bytes");
            }
            URL firstUrl = signedSource.get(); // signed before the first request, as AzureBlobStore does
            InMemoryStore self = this; // the enclosing class's private members, reached through this instance
            self.count(Op.COPY_FROM_URL);
            if (urlCopyFailure != null) {
                throw urlCopyFailure;
            }
            // As Azure does: one fetch of the source per block, each with the URL signed for its request.
            byte[] fetched = new byte[Math.toIntExact(size)];
            long blocks = Math.max(1, (size + blockSize - 1) / blockSize);
            for (long block = 0; block < blocks; block++) {
                if (block > 0) {
                    betweenBlocks.run();
                }
                byte[] source = fetch(block == 0 ? firstUrl : signedSource.get(), size);
                int from = Math.toIntExact(block * blockSize);
                System.arraycopy(source, from, fetched, from, (int) Math.min(blockSize, size - from));
            }
            ObjectAttributes attributes = self.acceptAttributes(spec.attributes());
            whileCopying.run();
            synchronized (self.lock) {
                self.checkWriteCondition(key, condition);
                byte[] stored = self.corruptWrites ? flipOneByte(fetched) : fetched;
                byte[] contentMd5 = spec.contentMd5() != null ? spec.contentMd5() : (size <= blockSize ? md5(stored) : null);
                Stored result = self.store(key, stored, self.nextAzureEtag(), contentMd5, attributes, spec.options());
                return new WriteResult(result.etag, result.versionId, null, null);
            }
        }

        private static byte[] fetch(URL source, long size) {
            Presigned presigned = PRESIGNED.get(source.toString());
            if (presigned == null) {
                throw new StoreException(Kind.BAD_REQUEST, 400, "CannotVerifyCopySource", "the source URL is not readable", null, null);
            }
            byte[] content;
            synchronized (presigned.store.lock) {
                Precondition read = presigned.versionId == null ? Precondition.NONE : new Precondition.Version(presigned.versionId);
                content = presigned.store.readable(presigned.key, read).content;
            }
            if (content.length != size) {
                throw new StoreException(Kind.BAD_REQUEST, 400, "InvalidRange",
                        "source has " + content.length + " bytes, copy asked for " + size, null, null);
            }
            return content;
        }
    }
}
