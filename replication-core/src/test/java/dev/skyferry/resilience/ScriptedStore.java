package dev.skyferry.resilience;

import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory store whose calls fail with the scripted exceptions first, then succeed. Counts the
 * calls that reached it and records the bytes each put attempt actually read.
 */
class ScriptedStore implements ObjectStore {

    final Deque<RuntimeException> failures = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();
    final List<byte[]> putAttempts = new ArrayList<>();
    /** Failures for abort calls only, before {@link #failures}. */
    final Deque<RuntimeException> abortFailures = new ArrayDeque<>();
    /** Upload ids whose abort reached the store and succeeded. */
    final List<String> aborted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger uploads = new AtomicInteger();
    private final StoreKind kind;

    ScriptedStore(StoreKind kind) {
        this.kind = kind;
    }

    ScriptedStore failingWith(RuntimeException... scripted) {
        failures.addAll(List.of(scripted));
        return this;
    }

    ScriptedStore failingAbortsWith(RuntimeException... scripted) {
        abortFailures.addAll(List.of(scripted));
        return this;
    }

    private synchronized void answer() {
        calls.incrementAndGet();
        RuntimeException next = failures.poll();
        if (next != null) {
            throw next;
        }
    }

    @Override
    public StoreKind kind() {
        return kind;
    }

    @Override
    public boolean enforcesConditionalWrites() {
        return false; // every scripted write succeeds, whatever its precondition
    }

    @Override
    public String account() {
        return kind == StoreKind.AZURE_BLOB ? "account" : null;
    }

    @Override
    public String container() {
        return "bucket";
    }

    @Override
    public URI uriOf(String key) {
        return URI.create("mem://bucket/" + key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        answer();
        return Optional.of(new ObjectInfo(key, 1, "etag", null, Instant.EPOCH, null, null));
    }

    @Override
    public OpenObject open(String key, ByteRange range, Precondition condition) {
        answer();
        return new OpenObject(new ObjectInfo(key, 1, "etag", null, Instant.EPOCH, null, null),
                new ByteArrayInputStream(new byte[] {1}));
    }

    @Override
    public Map<String, String> readTags(String key) {
        answer();
        return Map.of();
    }

    @Override
    public WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition) {
        byte[] read = new byte[content.remaining()];
        content.get(read); // consume the buffer as an SDK would, before failing
        synchronized (this) {
            putAttempts.add(read);
        }
        answer();
        return new WriteResult("etag", null, null, null);
    }

    @Override
    public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
        answer();
        ScriptedStore self = this;
        String uploadId = "upload-" + uploads.incrementAndGet();
        return new MultipartWrite() {
            @Override
            public String uploadId() {
                return uploadId;
            }

            @Override
            public boolean needsPartMd5() {
                return false; // it checks nothing: the tests script its answers
            }

            @Override
            public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
                byte[] read = new byte[data.remaining()];
                data.get(read);
                synchronized (self) {
                    putAttempts.add(read);
                }
                answer();
            }

            @Override
            public WriteResult complete() {
                answer();
                return new WriteResult("etag", null, null, null);
            }

            @Override
            public void abort() {
                RuntimeException scripted;
                synchronized (self) {
                    scripted = abortFailures.poll();
                }
                if (scripted != null) {
                    calls.incrementAndGet();
                    throw scripted;
                }
                answer();
                aborted.add(uploadId);
            }
        };
    }

    @Override
    public void delete(String key, Precondition condition) {
        answer();
    }

    @Override
    public void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition) {
        answer();
    }

    @Override
    public ListPage list(String prefix, String continuation, int pageSize) {
        answer();
        return new ListPage(List.of(), null);
    }

    static StoreException throttled() {
        return new StoreException(StoreException.Kind.THROTTLED, 503, "SlowDown", "slow down", null, null);
    }

    static StoreException throttledRetryAfter(java.time.Duration retryAfter) {
        return new StoreException(StoreException.Kind.THROTTLED, 503, "ServerBusy", "busy", retryAfter, null);
    }

    static StoreException unreachable() {
        return new StoreException(StoreException.Kind.UNAVAILABLE, 0, "ConnectException", "connection refused", null, null);
    }

    static StoreException forbidden() {
        return new StoreException(StoreException.Kind.FORBIDDEN, 403, "AccessDenied", "denied", null, null);
    }

    static StoreException notFound() {
        return new StoreException(StoreException.Kind.NOT_FOUND, 404, "NoSuchKey", "no such key", null, null);
    }
}
