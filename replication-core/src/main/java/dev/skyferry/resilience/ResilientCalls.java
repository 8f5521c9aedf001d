package dev.skyferry.resilience;

import dev.skyferry.store.StoreException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one remote call under the endpoint's retry and circuit breaker.
 *
 * <h2>Decorator order (outermost first)</h2>
 * <ol>
 *   <li><b>Queue redelivery</b> (the worker): when a call still fails after the retries below, the
 *       event's outcome is {@code Retry} and the whole message is released with a growing visibility
 *       delay. Permanent failures skip both retry layers and are dead-lettered.</li>
 *   <li><b>{@link Retry}</b> (here): up to {@code retry.maxAttempts} attempts of the whole call,
 *       exponential backoff with ±50 % jitter, at least the service's Retry-After; only failures
 *       {@link FailureClassifier#isTransient} calls transient. A Retry-After longer than
 *       {@code maxBackoff} is not waited for here: the call fails and the message layer waits.</li>
 *   <li><b>{@link CircuitBreaker}</b> (inside Retry, as resilience4j recommends): every attempt is
 *       judged by the breaker, so a retried burst of 503s opens it; once open, the remaining attempts
 *       fail fast and are not retried.</li>
 * </ol>
 * Two layers at most: the SDKs' own retry policies should be off (or minimal) for clients used here.
 *
 * <p>A call rejected by an open breaker fails with a {@link StoreException} of kind UNAVAILABLE and
 * error code {@value #CIRCUIT_OPEN}, which is transient: the message is released, not dead-lettered.
 */
public final class ResilientCalls {

    /** Error code of the {@link StoreException} thrown for a call an open breaker rejected. */
    public static final String CIRCUIT_OPEN = "CircuitOpen";

    private static final double BACKOFF_MULTIPLIER = 2.0;
    private static final double BACKOFF_JITTER = 0.5;

    private final RetrySettings settings;
    private final EndpointBreakers breakers;
    private final Map<Endpoint, Retry> retries = new EnumMap<>(Endpoint.class);

    public ResilientCalls(RetrySettings settings, EndpointBreakers breakers, RetryObserver observer) {
        this.settings = settings;
        this.breakers = breakers;
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(
                settings.initialBackoff(), BACKOFF_MULTIPLIER, BACKOFF_JITTER, settings.maxBackoff());
        RetryConfig config = RetryConfig.<Object>custom()
                .maxAttempts(settings.maxAttempts())
                .intervalBiFunction(honoringRetryAfter(backoff))
                .retryOnException(this::worthRetrying)
                .build();
        RetryRegistry registry = RetryRegistry.of(config);
        for (Endpoint endpoint : Endpoint.values()) {
            Retry retry = registry.retry(endpoint.id());
            retry.getEventPublisher().onRetry(event -> observer.retrying(endpoint,
                    event.getNumberOfRetryAttempts(), event.getLastThrowable(), event.getWaitInterval()));
            retries.put(endpoint, retry);
        }
    }

    public EndpointBreakers breakers() {
        return breakers;
    }

    public RetrySettings settings() {
        return settings;
    }

    /** Runs {@code call} with retries and the endpoint's breaker. */
    public <T> T call(Endpoint endpoint, Supplier<T> call) {
        Supplier<T> guarded = CircuitBreaker.decorateSupplier(breakers.breaker(endpoint), call);
        Supplier<T> retried = Retry.decorateSupplier(retries.get(endpoint), guarded);
        return translatingRejection(endpoint, retried);
    }

    public void run(Endpoint endpoint, Runnable call) {
        call(endpoint, () -> {
            call.run();
            return null;
        });
    }

    /**
     * Runs {@code call} with retries but not under the endpoint's breaker: for the few calls that
     * finish work already done (deleting, releasing or dead-lettering a processed message). Rejecting
     * them while the breaker is open would not spare the service anything worth sparing, and would
     * cost a redelivery of finished work.
     */
    public <T> T callPastBreaker(Endpoint endpoint, Supplier<T> call) {
        return Retry.decorateSupplier(retries.get(endpoint), call).get();
    }

    public void runPastBreaker(Endpoint endpoint, Runnable call) {
        callPastBreaker(endpoint, () -> {
            call.run();
            return null;
        });
    }

    /**
     * Runs {@code call} once under the endpoint's breaker, without retries: for calls that are
     * repeated anyway (a queue receive, a health probe).
     */
    public <T> T callOnce(Endpoint endpoint, Supplier<T> call) {
        return translatingRejection(endpoint, CircuitBreaker.decorateSupplier(breakers.breaker(endpoint), call));
    }

    private static <T> T translatingRejection(Endpoint endpoint, Supplier<T> call) {
        try {
            return call.get();
        } catch (CallNotPermittedException rejected) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE, 0, CIRCUIT_OPEN,
                    "circuit breaker " + endpoint.id() + " is open: not calling it for now", null, rejected);
        } catch (AnotherEndpointsFailure inner) {
            throw inner.failure();
        }
    }

    private boolean worthRetrying(Throwable failure) {
        if (failure instanceof AnotherEndpointsFailure) {
            return false; // retried under its own endpoint already
        }
        if (Thread.currentThread().isInterrupted()) {
            return false; // shutting down: the caller aborts, nothing to wait for
        }
        if (!FailureClassifier.isTransient(failure)) {
            return false;
        }
        Duration retryAfter = retryAfter(failure);
        return retryAfter == null || retryAfter.compareTo(settings.maxBackoff()) <= 0;
    }

    private static IntervalBiFunction<Object> honoringRetryAfter(IntervalFunction backoff) {
        return (attempt, result) -> {
            long wait = backoff.apply(attempt);
            Duration retryAfter = result.isLeft() ? retryAfter(result.getLeft()) : null;
            return retryAfter == null ? wait : Math.max(wait, retryAfter.toMillis());
        };
    }

    private static Duration retryAfter(Throwable failure) {
        StoreException store = StoreException.foundIn(failure);
        return store == null ? null : store.retryAfter();
    }
}
