package dev.skyferry.resilience;

import java.time.Duration;

/**
 * Told about every in-process retry, e.g. to count {@code skyferry_store_retries_total{endpoint}}.
 * Called on the retrying thread, so keep it cheap.
 */
@FunctionalInterface
public interface RetryObserver {

    RetryObserver NONE = (endpoint, attempt, failure, wait) -> { };

    /**
     * @param attempt the attempt that just failed (1 for the first call)
     * @param wait    how long the call waits before the next attempt
     */
    void retrying(Endpoint endpoint, int attempt, Throwable failure, Duration wait);
}
