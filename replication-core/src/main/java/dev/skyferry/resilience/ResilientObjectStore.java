package dev.skyferry.resilience;

import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.PresignedReads;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.UrlCopyTarget;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} whose every call runs under {@link ResilientCalls}: retried when transient,
 * judged by the endpoint's circuit breaker ({@code azure-blob} or {@code s3}).
 *
 * <p>Only whole calls are retried. A streaming read cannot be resumed by a decorator, so
 * {@link #open} is retried only until the stream is handed out; a failure while reading it is the
 * copier's to handle (it fails the event, and the message is redelivered). Writes from a buffer are
 * retried with the same bytes: every attempt reads its own {@link ByteBuffer#duplicate() duplicate},
 * so a failed attempt that consumed the buffer does not shorten the next one.
 *
 * <p>Aborting a multipart write finishes work already under way, so it runs past the breaker (retried,
 * never rejected): an open breaker must not leave uploaded parts behind, which cost money until the
 * bucket's lifecycle rule removes them. An abort that still fails — the service is down — is owed:
 * it is made again before this store starts its next multipart write, when the service answers again.
 * Only a process that dies with aborts owed leaves them to the lifecycle rule.
 *
 * <p>Optional capabilities survive the wrapping: {@link #wrap} returns a store that implements
 * {@link PresignedReads} and/or {@link UrlCopyTarget} exactly when the wrapped store does, so the
 * copier's {@code instanceof} discovery sees the same store.
 */
public class ResilientObjectStore implements ObjectStore {

    private static final Logger log = LoggerFactory.getLogger(ResilientObjectStore.class);
    /** Owed aborts kept at most; beyond that the lifecycle rule is the backstop (and a warning says so). */
    static final int MAX_ABORTS_OWED = 10_000;

    private final ObjectStore store;
    private final ResilientCalls calls;
    private final Endpoint endpoint;
    /** Multipart writes whose abort failed, by upload id, until an abort succeeds. */
    private final Map<String, Owed> abortsOwed = new ConcurrentHashMap<>();

    private record Owed(String key, MultipartWrite write) {}

    private ResilientObjectStore(ObjectStore store, ResilientCalls calls) {
        this.store = store;
        this.calls = calls;
        this.endpoint = Endpoint.of(store.kind());
    }

    /** Wraps {@code store}, keeping exactly its optional capabilities. */
    public static ObjectStore wrap(ObjectStore store, ResilientCalls calls) {
        boolean presigns = store instanceof PresignedReads;
        boolean copiesFromUrl = store instanceof UrlCopyTarget;
        if (presigns && copiesFromUrl) {
            return new WithPresignedReadsAndUrlCopy(store, calls);
        }
        if (presigns) {
            return new WithPresignedReads(store, calls);
        }
        if (copiesFromUrl) {
            return new WithUrlCopy(store, calls);
        }
        return new ResilientObjectStore(store, calls);
    }

    /** The endpoint whose breaker and retry judge this store's calls. */
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public StoreKind kind() {
        return store.kind();
    }

    @Override
    public boolean enforcesConditionalWrites() {
        return store.enforcesConditionalWrites();
    }

    @Override
    public String account() {
        return store.account();
    }

    @Override
    public String container() {
        return store.container();
    }

    @Override
    public URI uriOf(String key) {
        return store.uriOf(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return calls.call(endpoint, () -> store.stat(key));
    }

    /** Retried until the stream is returned; reading it is not retried (see the class comment). */
    @Override
    public OpenObject open(String key, ByteRange range, Precondition condition) {
        return calls.call(endpoint, () -> store.open(key, range, condition));
    }

    @Override
    public Map<String, String> readTags(String key) {
        return calls.call(endpoint, () -> store.readTags(key));
    }

    @Override
    public WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition) {
        return calls.call(endpoint, () -> store.put(key, content.duplicate(), spec, condition));
    }

    @Override
    public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
        MultipartWrite write = calls.call(endpoint, () -> store.startMultipart(key, spec, condition));
        // The service answers again: a good moment to make the aborts that failed while it did not.
        makeOwedAborts();
        return new ResilientMultipartWrite(key, write);
    }

    /** Uploads whose abort failed and is still to be made. */
    public int abortsOwed() {
        return abortsOwed.size();
    }

    private void makeOwedAborts() {
        for (String uploadId : abortsOwed.keySet()) {
            Owed owed = abortsOwed.remove(uploadId); // claimed: concurrent starts don't abort it twice
            if (owed == null) {
                continue;
            }
            try {
                owed.write().abort();
                log.info("aborted upload {} of {} now that {} answers again", uploadId, store.uriOf(owed.key()), endpoint.id());
            } catch (RuntimeException e) {
                abortsOwed.putIfAbsent(uploadId, owed);
            }
        }
    }

    @Override
    public void delete(String key, Precondition condition) {
        calls.run(endpoint, () -> store.delete(key, condition));
    }

    @Override
    public void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition) {
        calls.run(endpoint, () -> store.replaceMetadata(key, userMetadata, condition));
    }

    @Override
    public ListPage list(String prefix, String continuation, int pageSize) {
        return calls.call(endpoint, () -> store.list(prefix, continuation, pageSize));
    }

    @Override
    public String toString() {
        return "resilient(" + store + ")";
    }

    URL presignGetResiliently(String key, Precondition condition, Duration validity) {
        // An Azure user-delegation SAS needs a key from the service, so this can be a remote call.
        return calls.call(endpoint, () -> ((PresignedReads) store).presignGet(key, condition, validity));
    }

    WriteResult copyFromUrlResiliently(String key, Supplier<URL> signedSource, long size, long blockSize, WriteSpec spec,
                                       Precondition condition) {
        // Signing is the source's call (its own breaker and retries): its failures are not this target's.
        Supplier<URL> signedElsewhere = AnotherEndpointsFailure.marking(signedSource);
        return calls.call(endpoint, () -> ((UrlCopyTarget) store).copyFromUrl(key, signedElsewhere, size, blockSize, spec, condition));
    }

    private final class ResilientMultipartWrite implements MultipartWrite {
        private final String key;
        private final MultipartWrite write;

        ResilientMultipartWrite(String key, MultipartWrite write) {
            this.key = key;
            this.write = write;
        }

        @Override
        public String uploadId() {
            return write.uploadId();
        }

        @Override
        public boolean needsPartMd5() {
            return write.needsPartMd5();
        }

        @Override
        public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
            calls.run(endpoint, () -> write.uploadPart(partNumber, data.duplicate(), md5));
        }

        @Override
        public WriteResult complete() {
            return calls.call(endpoint, write::complete);
        }

        /** Past the breaker and owed when it fails: see the class comment. */
        @Override
        public void abort() {
            try {
                calls.runPastBreaker(endpoint, write::abort);
            } catch (RuntimeException e) {
                if (abortsOwed.size() < MAX_ABORTS_OWED) {
                    abortsOwed.put(write.uploadId(), new Owed(key, write));
                    log.warn("could not abort upload {} of {} ({}); it is aborted before the next multipart write starts",
                            write.uploadId(), store.uriOf(key), e.getMessage());
                } else {
                    log.warn("could not abort upload {} of {} ({}); {} aborts are owed already, so this one is left to the"
                            + " bucket's lifecycle rule", write.uploadId(), store.uriOf(key), e.getMessage(), MAX_ABORTS_OWED);
                }
                throw e;
            }
        }
    }

    private static final class WithPresignedReads extends ResilientObjectStore implements PresignedReads {
        WithPresignedReads(ObjectStore store, ResilientCalls calls) {
            super(store, calls);
        }

        @Override
        public URL presignGet(String key, Precondition condition, Duration validity) {
            return presignGetResiliently(key, condition, validity);
        }
    }

    private static final class WithUrlCopy extends ResilientObjectStore implements UrlCopyTarget {
        WithUrlCopy(ObjectStore store, ResilientCalls calls) {
            super(store, calls);
        }

        @Override
        public WriteResult copyFromUrl(String key, Supplier<URL> signedSource, long size, long blockSize, WriteSpec spec,
                                       Precondition condition) {
            return copyFromUrlResiliently(key, signedSource, size, blockSize, spec, condition);
        }
    }

    private static final class WithPresignedReadsAndUrlCopy extends ResilientObjectStore
            implements PresignedReads, UrlCopyTarget {
        WithPresignedReadsAndUrlCopy(ObjectStore store, ResilientCalls calls) {
            super(store, calls);
        }

        @Override
        public URL presignGet(String key, Precondition condition, Duration validity) {
            return presignGetResiliently(key, condition, validity);
        }

        @Override
        public WriteResult copyFromUrl(String key, Supplier<URL> signedSource, long size, long blockSize, WriteSpec spec,
                                       Precondition condition) {
            return copyFromUrlResiliently(key, signedSource, size, blockSize, spec, condition);
        }
    }
}
