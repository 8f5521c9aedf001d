package dev.skyferry.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.PresignedReads;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.UrlCopyTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ResilientObjectStoreTest {

    private static final RetrySettings FAST_RETRIES = new RetrySettings(4, Duration.ofMillis(1), Duration.ofMillis(500),
            Duration.ofSeconds(30), Duration.ofMinutes(15));

    private record Retried(Endpoint endpoint, int attempt, Duration waited) {}

    private final List<Retried> retried = new CopyOnWriteArrayList<>();

    private ResilientCalls calls(CircuitBreakerSettings breakerSettings) {
        return new ResilientCalls(FAST_RETRIES, new EndpointBreakers(breakerSettings),
                (endpoint, attempt, failure, wait) -> retried.add(new Retried(endpoint, attempt, wait)));
    }

    private ResilientCalls calls() {
        return calls(CircuitBreakerSettings.DEFAULTS);
    }

    @Test
    void retriesThrottlingUntilTheCallSucceeds() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3).failingWith(ScriptedStore.throttled(), ScriptedStore.throttled());

        assertThat(ResilientObjectStore.wrap(s3, calls()).stat("k")).isPresent();

        assertThat(s3.calls).hasValue(3);
        assertThat(retried).extracting(Retried::endpoint).containsExactly(Endpoint.S3, Endpoint.S3);
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheLastFailure() {
        ScriptedStore blob = new ScriptedStore(StoreKind.AZURE_BLOB).failingWith(
                ScriptedStore.throttled(), ScriptedStore.throttled(), ScriptedStore.throttled(), ScriptedStore.throttled(),
                ScriptedStore.throttled());

        ObjectStore store = ResilientObjectStore.wrap(blob, calls());

        assertThatThrownBy(() -> store.delete("k", Precondition.NONE))
                .isInstanceOf(StoreException.class)
                .satisfies(e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.THROTTLED));
        assertThat(blob.calls).hasValue(FAST_RETRIES.maxAttempts());
        assertThat(retried).extracting(Retried::endpoint).containsOnly(Endpoint.AZURE_BLOB);
    }

    @Test
    void doesNotRetryPermanentFailures() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3).failingWith(ScriptedStore.forbidden());

        assertThatThrownBy(() -> ResilientObjectStore.wrap(s3, calls()).readTags("k"))
                .isInstanceOf(StoreException.class)
                .hasMessage("denied");
        assertThat(s3.calls).hasValue(1);
        assertThat(retried).isEmpty();
    }

    @Test
    void waitsAtLeastTheServicesRetryAfter() {
        ScriptedStore blob = new ScriptedStore(StoreKind.AZURE_BLOB)
                .failingWith(ScriptedStore.throttledRetryAfter(Duration.ofMillis(300)));

        ResilientObjectStore.wrap(blob, calls()).stat("k");

        assertThat(retried).singleElement()
                .satisfies(r -> assertThat(r.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(300)));
    }

    @Test
    void leavesARetryAfterLongerThanMaxBackoffToQueueRedelivery() {
        ScriptedStore blob = new ScriptedStore(StoreKind.AZURE_BLOB)
                .failingWith(ScriptedStore.throttledRetryAfter(Duration.ofMinutes(5)));

        assertThatThrownBy(() -> ResilientObjectStore.wrap(blob, calls()).stat("k")).isInstanceOf(StoreException.class);
        assertThat(blob.calls).hasValue(1);
    }

    @Test
    void everyPutAttemptSendsTheWholeBuffer() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3).failingWith(ScriptedStore.throttled());
        ByteBuffer content = ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8));

        ResilientObjectStore.wrap(s3, calls()).put("k", content, null, Precondition.IF_ABSENT);

        assertThat(s3.putAttempts).hasSize(2).allSatisfy(bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("hello"));
    }

    @Test
    void everyUploadPartAttemptSendsTheWholePart() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        ObjectStore.MultipartWrite write = ResilientObjectStore.wrap(s3, calls()).startMultipart("k", null, Precondition.NONE);
        s3.failingWith(ScriptedStore.throttled(), ScriptedStore.throttled());

        write.uploadPart(1, ByteBuffer.wrap(new byte[] {1, 2, 3}), null);

        assertThat(s3.putAttempts).hasSize(3).allSatisfy(bytes -> assertThat(bytes).containsExactly(1, 2, 3));
    }

    @Test
    void anOpenBreakerRejectsCallsWithoutReachingTheStoreAsATransientFailure() {
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1)));
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        for (int i = 0; i < 10; i++) {
            s3.failingWith(ScriptedStore.throttled());
        }
        ObjectStore store = ResilientObjectStore.wrap(s3, calls);

        assertThatThrownBy(() -> store.stat("k")).isInstanceOf(StoreException.class); // 4 attempts, breaker opens
        assertThat(calls.breakers().breaker(Endpoint.S3).getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int callsBefore = s3.calls.get();

        assertThatThrownBy(() -> store.stat("k"))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ResilientCalls.CIRCUIT_OPEN);
                    assertThat(FailureClassifier.isTransient(e)).isTrue();
                });
        assertThat(s3.calls).hasValue(callsBefore);
        assertThat(calls.breakers().breaker(Endpoint.AZURE_BLOB).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void abortsAnUploadWhileTheBreakerIsOpenInsteadOfLeavingItsParts() {
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1)));
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        ObjectStore store = ResilientObjectStore.wrap(s3, calls);
        ObjectStore.MultipartWrite write = store.startMultipart("k", null, Precondition.IF_ABSENT);
        for (int i = 0; i < 4; i++) {
            s3.failingWith(ScriptedStore.throttled());
        }
        assertThatThrownBy(() -> write.uploadPart(1, ByteBuffer.wrap(new byte[] {1}), null)).isInstanceOf(StoreException.class);
        assertThat(calls.breakers().breaker(Endpoint.S3).getState()).isEqualTo(CircuitBreaker.State.OPEN);

        write.abort();

        assertThat(s3.aborted).containsExactly(write.uploadId());
    }

    @Test
    void anAbortThatFailsIsMadeBeforeTheNextMultipartWriteStarts() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        ResilientObjectStore store = (ResilientObjectStore) ResilientObjectStore.wrap(s3, calls());
        ObjectStore.MultipartWrite cutOff = store.startMultipart("k", null, Precondition.IF_ABSENT);
        for (int i = 0; i < FAST_RETRIES.maxAttempts(); i++) {
            s3.failingAbortsWith(ScriptedStore.unreachable());
        }

        assertThatThrownBy(cutOff::abort).isInstanceOf(StoreException.class);
        assertThat(s3.aborted).isEmpty();
        assertThat(store.abortsOwed()).isEqualTo(1);

        ObjectStore.MultipartWrite next = store.startMultipart("other", null, Precondition.IF_ABSENT);

        assertThat(s3.aborted).containsExactly(cutOff.uploadId());
        assertThat(store.abortsOwed()).isZero();
        assertThat(next.uploadId()).isNotEqualTo(cutOff.uploadId());
    }

    @Test
    void anOwedAbortThatFailsAgainStaysOwed() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        ResilientObjectStore store = (ResilientObjectStore) ResilientObjectStore.wrap(s3, calls());
        ObjectStore.MultipartWrite cutOff = store.startMultipart("k", null, Precondition.IF_ABSENT);
        for (int i = 0; i < FAST_RETRIES.maxAttempts(); i++) {
            s3.failingAbortsWith(ScriptedStore.unreachable());
        }
        assertThatThrownBy(cutOff::abort).isInstanceOf(StoreException.class);

        s3.failingAbortsWith(ScriptedStore.unreachable()); // the owed abort, tried once as the next write starts
        store.startMultipart("other", null, Precondition.IF_ABSENT);
        assertThat(store.abortsOwed()).isEqualTo(1);

        store.startMultipart("third", null, Precondition.IF_ABSENT);
        assertThat(s3.aborted).containsExactly(cutOff.uploadId());
        assertThat(store.abortsOwed()).isZero();
    }

    @Test
    void answersThatAreNotTransientKeepTheBreakerClosed() {
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1)));
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        ObjectStore store = ResilientObjectStore.wrap(s3, calls);
        for (int i = 0; i < 8; i++) {
            s3.failingWith(i % 2 == 0 ? ScriptedStore.notFound() : ScriptedStore.forbidden());
            assertThatThrownBy(() -> store.stat("k")).isInstanceOf(StoreException.class);
        }

        assertThat(calls.breakers().breaker(Endpoint.S3).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void callsCutShortByTheirThreadsInterruptAreNotFailuresOfTheService() {
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1)));
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3);
        ObjectStore store = ResilientObjectStore.wrap(s3, calls);
        try {
            for (int i = 0; i < 8; i++) {
                // What an HTTP client throws when the interrupt closes its socket: an I/O failure, transient.
                s3.failingWith(ScriptedStore.unreachable());
                Thread.currentThread().interrupt();
                assertThatThrownBy(() -> store.stat("k")).isInstanceOf(StoreException.class);
            }
        } finally {
            Thread.interrupted();
        }

        CircuitBreaker breaker = calls.breakers().breaker(Endpoint.S3);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** Shutting down (the thread interrupted), a failed call is not retried: no backoff begun, the stop request kept. */
    @Test
    void aCallThatFailsWhileItsThreadIsInterruptedIsNotRetried() {
        ScriptedStore s3 = new ScriptedStore(StoreKind.S3).failingWith(ScriptedStore.unreachable());
        ObjectStore store = ResilientObjectStore.wrap(s3, calls());
        try {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> store.stat("k")).isInstanceOf(StoreException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the stop request is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }

        assertThat(s3.calls).hasValue(1);
        assertThat(retried).as("no retry begun").isEmpty();
    }

    @Test
    void aSourceUrlThatCannotBeSignedIsTheSourcesFailureNotTheTargets() {
        ResilientCalls calls = calls();
        UrlCopyTarget azure = (UrlCopyTarget) ResilientObjectStore.wrap(new UrlCopyingStore(), calls);
        StoreException s3BreakerOpen = new StoreException(StoreException.Kind.UNAVAILABLE, 0, ResilientCalls.CIRCUIT_OPEN,
                "circuit breaker s3 is open", null, null);
        AtomicInteger signings = new AtomicInteger();

        for (int copy = 0; copy < 10; copy++) {
            assertThatThrownBy(() -> azure.copyFromUrl("k", () -> {
                signings.incrementAndGet();
                throw s3BreakerOpen;
            }, 10, 10, null, Precondition.NONE)).isSameAs(s3BreakerOpen);
        }

        assertThat(signings).as("each signing tried once: S3's own retries are the presign's").hasValue(10);
        assertThat(retried).isEmpty();
        CircuitBreaker azureBreaker = calls.breakers().breaker(Endpoint.AZURE_BLOB);
        assertThat(azureBreaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(azureBreaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void keepsExactlyTheOptionalCapabilitiesOfTheWrappedStore() {
        ResilientCalls calls = calls();
        ObjectStore plain = ResilientObjectStore.wrap(new ScriptedStore(StoreKind.S3), calls);
        ObjectStore presigning = ResilientObjectStore.wrap(new PresigningStore(), calls);
        ObjectStore urlCopying = ResilientObjectStore.wrap(new UrlCopyingStore(), calls);

        assertThat(plain).isNotInstanceOf(PresignedReads.class).isNotInstanceOf(UrlCopyTarget.class);
        assertThat(presigning).isInstanceOf(PresignedReads.class).isNotInstanceOf(UrlCopyTarget.class);
        assertThat(urlCopying).isInstanceOf(UrlCopyTarget.class).isNotInstanceOf(PresignedReads.class);
    }

    @Test
    void retriesAPresignThatNeedsTheService() throws Exception {
        PresigningStore s3 = new PresigningStore();
        s3.failingWith(ScriptedStore.throttled());

        URL url = ((PresignedReads) ResilientObjectStore.wrap(s3, calls())).presignGet("k", Precondition.NONE, Duration.ofMinutes(5));

        assertThat(url.toString()).isEqualTo("https://example.invalid/k");
        assertThat(s3.calls).hasValue(2);
    }

    private static final class PresigningStore extends ScriptedStore implements PresignedReads {
        PresigningStore() {
            super(StoreKind.S3);
        }

        @Override
        public URL presignGet(String key, Precondition condition, Duration validity) {
            calls.incrementAndGet();
            RuntimeException next = failures.poll();
            if (next != null) {
                throw next;
            }
            try {
                return new URL("https://example.invalid/" + key);
            } catch (java.net.MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class UrlCopyingStore extends ScriptedStore implements UrlCopyTarget {
        UrlCopyingStore() {
            super(StoreKind.AZURE_BLOB);
        }

        @Override
        public WriteResult copyFromUrl(String key, Supplier<URL> signedSource, long size, long blockSize, WriteSpec spec,
                                       Precondition condition) {
            signedSource.get();
            return new WriteResult("etag", null, null, null);
        }
    }
}
