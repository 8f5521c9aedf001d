package dev.skyferry.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One circuit breaker per {@link Endpoint}, named by the endpoint id. Only transient failures (as
 * {@link FailureClassifier} decides) count against a breaker: a 404 or a 412 means the service
 * answered, so it counts as a success for the endpoint's health. A call that failed while its thread
 * was interrupted is not counted at all: the caller gave up on it, the service did not fail.
 *
 * <p>Open breakers move to half-open on their own after {@code waitInOpenState} (resilience4j's
 * automatic transition), because the worker stops calling an endpoint while its breaker is open and
 * would otherwise never give it a chance to close.
 *
 * <p>The app binds {@link #registry()} to Micrometer ({@code resilience4j_circuitbreaker_state}).
 */
public final class EndpointBreakers {

    /** Calls let through while half-open; their failure rate decides whether the breaker closes. */
    public static final int PERMITTED_CALLS_IN_HALF_OPEN_STATE = 10;

    private final CircuitBreakerRegistry registry;
    private final Map<Endpoint, CircuitBreaker> breakers = new EnumMap<>(Endpoint.class);
    private final List<Runnable> stateListeners = new CopyOnWriteArrayList<>();

    public EndpointBreakers(CircuitBreakerSettings settings) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.slidingWindowSize())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(PERMITTED_CALLS_IN_HALF_OPEN_STATE)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(FailureClassifier::isTransient)
                // A call cut short by its own thread's interrupt (a plan's HEAD cancelled once the copy ended
                // without it, a shutdown) says nothing about the service: neither a failure nor a success;
                // nor does the failure of another endpoint's call made inside it.
                .ignoreException(failure -> Thread.currentThread().isInterrupted() || failure instanceof AnotherEndpointsFailure)
                .build();
        registry = CircuitBreakerRegistry.of(config);
        for (Endpoint endpoint : Endpoint.values()) {
            CircuitBreaker breaker = registry.circuitBreaker(endpoint.id());
            breaker.getEventPublisher().onStateTransition(event -> stateListeners.forEach(Runnable::run));
            breakers.put(endpoint, breaker);
        }
    }

    public CircuitBreaker breaker(Endpoint endpoint) {
        return breakers.get(endpoint);
    }

    /** For the app's Micrometer binding; the breakers are named by {@link Endpoint#id()}. */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** Of {@code endpoints}, those whose breaker currently rejects calls (open or forced open). */
    public Set<Endpoint> open(Collection<Endpoint> endpoints) {
        Set<Endpoint> open = EnumSet.noneOf(Endpoint.class);
        for (Endpoint endpoint : endpoints) {
            CircuitBreaker.State state = breaker(endpoint).getState();
            if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
                open.add(endpoint);
            }
        }
        return open;
    }

    /** Of {@code endpoints}, those whose breaker is half-open: probing whether the service is back. */
    public Set<Endpoint> halfOpen(Collection<Endpoint> endpoints) {
        Set<Endpoint> halfOpen = EnumSet.noneOf(Endpoint.class);
        for (Endpoint endpoint : endpoints) {
            if (breaker(endpoint).getState() == CircuitBreaker.State.HALF_OPEN) {
                halfOpen.add(endpoint);
            }
        }
        return halfOpen;
    }

    /** Runs {@code listener} (on the transitioning thread) after any breaker changes state. */
    public void onStateChange(Runnable listener) {
        stateListeners.add(listener);
    }
}
