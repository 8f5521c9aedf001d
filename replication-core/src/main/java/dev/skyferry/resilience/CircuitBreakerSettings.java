package dev.skyferry.resilience;

import java.time.Duration;

/**
 * {@code circuitBreaker.*} from docs/configuration.md, applied to each endpoint's breaker alike.
 *
 * @param failureRateThreshold percentage of failed calls in the window that opens the breaker
 * @param slidingWindowSize    number of most recent calls judged; also the minimum number of calls
 *                             before the breaker may open, so a single early failure cannot open it
 * @param waitInOpenState      how long an open breaker rejects calls before it lets probes through
 */
public record CircuitBreakerSettings(int failureRateThreshold, int slidingWindowSize, Duration waitInOpenState) {

    public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
    public static final Duration DEFAULT_WAIT_IN_OPEN_STATE = Duration.ofSeconds(30);

    public static final int LARGEST_SLIDING_WINDOW = 10_000;

    public static final CircuitBreakerSettings DEFAULTS = new CircuitBreakerSettings(
            DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_SLIDING_WINDOW_SIZE, DEFAULT_WAIT_IN_OPEN_STATE);

    public CircuitBreakerSettings {
        SettingsValidation.of("circuit breaker settings")
                .between(failureRateThreshold, 1, 100, "failureRateThreshold")
                .between(slidingWindowSize, 1, LARGEST_SLIDING_WINDOW, "slidingWindowSize")
                .notNull(waitInOpenState, "waitInOpenState")
                .positive(waitInOpenState, "waitInOpenState")
                .orThrow();
    }
}
