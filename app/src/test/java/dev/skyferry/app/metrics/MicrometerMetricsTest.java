package dev.skyferry.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.resilience.Endpoint;
import dev.skyferry.store.StoreException;
import dev.skyferry.worker.Direction;
import dev.skyferry.worker.EventOutcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerMetrics metrics = new MicrometerMetrics(registry);

    @Test
    void retriesAreCountedByEndpointAndWhatFailed() {
        StoreException refused = new StoreException(StoreException.Kind.CHECKSUM_REFUSED, 400, "BadDigest", "flipped", null, null);
        metrics.retrying(Endpoint.S3, 1, refused, Duration.ofMillis(100));
        metrics.retrying(Endpoint.S3, 2, new RuntimeException("wrapped", refused), Duration.ofMillis(200));
        metrics.retrying(Endpoint.AZURE_BLOB, 1, new StoreException(StoreException.Kind.THROTTLED, 503, "ServerBusy", "busy",
                Duration.ofSeconds(1), null), Duration.ofSeconds(1));
        metrics.retrying(Endpoint.AZURE_BLOB, 1, new UncheckedIOException(new SocketException("reset")), Duration.ofMillis(100));

        assertThat(registry.scrape())
                .contains("skyferry_store_retries_total{endpoint=\"s3\",kind=\"checksum-refused\"} 2.0")
                .contains("skyferry_store_retries_total{endpoint=\"azure-blob\",kind=\"throttled\"} 1.0")
                .contains("skyferry_store_retries_total{endpoint=\"azure-blob\",kind=\"unavailable\"} 1.0");
    }

    @Test
    void timerHistogramsResolveCopiesAndWaitsOfMinutes() {
        metrics.eventSettled(Direction.AZURE_TO_S3, EventOutcome.REPLICATED, "replicated", 1L << 30,
                Duration.ofSeconds(95), Duration.ofSeconds(97));
        metrics.copySlotWaited("azure-events", Duration.ofMinutes(20));
        metrics.settleAnswered("azure-events", "delete", Duration.ofSeconds(45));
        String scrape = registry.scrape();

        // The dashboard's percentiles can tell these apart only if a finite bucket holds each one.
        assertThat(smallestBucketHolding(scrape, "skyferry_copy_duration_seconds_bucket{direction=\"azure-to-s3\",")).isBetween(95.0, 190.0);
        assertThat(smallestBucketHolding(scrape, "skyferry_copy_slot_wait_seconds_bucket{source=\"azure-events\",")).isBetween(1200.0, 2400.0);
        assertThat(smallestBucketHolding(scrape, "skyferry_settle_duration_seconds_bucket{action=\"delete\",source=\"azure-events\",")).isBetween(45.0, 90.0);
    }

    /** The upper bound of the smallest finite bucket of the series that counted a recording; infinity if none did. */
    private static double smallestBucketHolding(String scrape, String seriesPrefix) {
        Matcher bucket = Pattern.compile(Pattern.quote(seriesPrefix) + "le=\"([0-9.]+)\"} ([0-9.]+)").matcher(scrape);
        double smallest = Double.POSITIVE_INFINITY;
        while (bucket.find()) {
            if (Double.parseDouble(bucket.group(2)) > 0) {
                smallest = Math.min(smallest, Double.parseDouble(bucket.group(1)));
            }
        }
        return smallest;
    }
}
