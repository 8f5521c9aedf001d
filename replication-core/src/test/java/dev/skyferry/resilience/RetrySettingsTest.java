package dev.skyferry.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetrySettingsTest {

    @Test
    void redeliveryDelayDoublesPerDeliveryUpToTheCap() {
        RetrySettings settings = new RetrySettings(4, Duration.ofMillis(200), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofMinutes(3));

        assertThat(settings.redeliveryDelay(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.redeliveryDelay(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.redeliveryDelay(3)).isEqualTo(Duration.ofSeconds(120));
        assertThat(settings.redeliveryDelay(4)).isEqualTo(Duration.ofMinutes(3));
        assertThat(settings.redeliveryDelay(1_000)).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void listsEveryProblemWithTheBadValue() {
        assertThatThrownBy(() -> new RetrySettings(0, Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofHours(13)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts must be between 1 and 100, was 0")
                .hasMessageContaining("maxBackoff must be ≥ initialBackoff (PT5S), was PT1S")
                .hasMessageContaining("maxRedeliveryDelay must be ≤ PT12H (SQS visibility limit), was PT13H");
    }

    @Test
    void circuitBreakerSettingsRejectAThresholdAbove100() {
        assertThatThrownBy(() -> new CircuitBreakerSettings(150, 0, Duration.ZERO))
                .hasMessageContaining("failureRateThreshold must be between 1 and 100, was 150")
                .hasMessageContaining("slidingWindowSize must be between 1 and 10000, was 0")
                .hasMessageContaining("waitInOpenState must be > 0, was PT0S");
    }
}
