package dev.skyferry.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.resilience.Endpoint;
import dev.skyferry.store.StoreException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
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
}
