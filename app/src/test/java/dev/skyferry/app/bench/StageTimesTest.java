package dev.skyferry.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.skyferry.app.metrics.MicrometerMetrics;
import dev.skyferry.worker.EventOutcome;
import dev.skyferry.worker.WorkerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bench's per-pass breakdown, read from the worker's own Prometheus text as the worker prints it. */
class StageTimesTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerMetrics metrics = new MicrometerMetrics(registry);

    private void event(String source, long receiveMs, long waitMs, long copyMs, long deleteMs) {
        metrics.receiveAnswered(source, Duration.ofMillis(receiveMs));
        metrics.copySlotWaited(source, Duration.ofMillis(waitMs));
        metrics.eventSettled(dev.skyferry.worker.Direction.AZURE_TO_S3, EventOutcome.REPLICATED, "replicated", 16_384, Duration.ofMillis(copyMs),
                Duration.ofMillis(500));
        metrics.settleAnswered(source, WorkerMetrics.DELETE, Duration.ofMillis(deleteMs));
    }

    @Test
    void meansCoverOnlyWhatHappenedBetweenTheTwoScrapesOfTheSourceAndDirectionAsked() {
        event("azure-events", 1_000, 1_000, 1_000, 1_000); // before the pass: left out
        String before = registry.scrape();
        event("azure-events", 100, 10, 40, 30);
        event("azure-events", 120, 30, 60, 50);
        metrics.receiveAnswered("s3-events", Duration.ofMillis(5_000)); // another source: left out
        metrics.settleAnswered("azure-events", WorkerMetrics.RELEASE, Duration.ofMillis(5_000)); // not a delete
        String after = registry.scrape();

        StageTimes stages = StageTimes.between(before, after, Direction.AZURE_TO_S3, "azure-events", 1.0, 16);

        assertThat(stages.receives()).isEqualTo(2);
        assertThat(stages.receiveMs()).isCloseTo(110, within(0.01));
        assertThat(stages.slotWaitMs()).isCloseTo(20, within(0.01));
        assertThat(stages.copyMs()).isCloseTo(50, within(0.01));
        assertThat(stages.deleteMs()).isCloseTo(40, within(0.01));
        // 100 ms of copying in a 1 s pass with 16 slots.
        assertThat(stages.copySlotsBusy()).isCloseTo(0.1 / 16, within(1e-9));
        assertThat(stages.describe(2)).startsWith("2 receives (1.0 messages each) of 110 ms; a message waited 20 ms");
    }
}
