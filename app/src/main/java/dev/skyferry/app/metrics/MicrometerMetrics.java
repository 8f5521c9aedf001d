package dev.skyferry.app.metrics;

import dev.skyferry.copy.CopyMetrics;
import dev.skyferry.resilience.Endpoint;
import dev.skyferry.store.StoreException;
import dev.skyferry.worker.Direction;
import dev.skyferry.worker.EventOutcome;
import dev.skyferry.worker.WorkerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Binds core's metrics seams ({@link WorkerMetrics}, {@link CopyMetrics}) to Micrometer under the
 * names documented in docs/configuration.md, which the Grafana dashboard and alert rules use.
 */
public final class MicrometerMetrics implements WorkerMetrics, CopyMetrics {

    /**
     * The top of the timer histograms, instead of Micrometer's 30 s: a large object's copy, and a message's
     * wait behind such copies, take minutes, and histogram_quantile reports anything past the last finite
     * bucket as that bucket's bound (a 20-minute copy would read as 30 s).
     */
    static final Duration LONGEST_TIMED = Duration.ofHours(2);

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> queueDepths = new ConcurrentHashMap<>();

    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Gauges read on scrape from the running worker and the copy buffer budget. */
    public void bindGauges(Supplier<Number> copiesInFlight, Supplier<Number> bufferedBytes) {
        Gauge.builder("skyferry.copies.in.flight", copiesInFlight).description("Events being processed now").register(registry);
        Gauge.builder("skyferry.buffered.bytes", bufferedBytes).description("Part buffers held now").register(registry);
    }

    @Override
    public void eventReceived(String source, Direction direction) {
        Counter.builder("skyferry.events.received").tag("source", source).tag("direction", direction.label())
                .register(registry).increment();
    }

    @Override
    public void eventSettled(Direction direction, EventOutcome outcome, String reason, long bytes,
                             Duration copyDuration, Duration lag) {
        Counter.builder("skyferry.events").tag("direction", direction.label()).tag("outcome", outcome.label())
                .tag("reason", reason == null ? "" : reason).register(registry).increment();
        if (outcome != EventOutcome.REPLICATED) {
            return;
        }
        Counter.builder("skyferry.bytes.replicated").tag("direction", direction.label())
                .register(registry).increment(bytes);
        if (copyDuration != null) {
            timer("skyferry.copy.duration").tag("direction", direction.label()).register(registry).record(copyDuration);
        }
        if (lag != null && !lag.isNegative()) {
            // Seconds buckets from 5 ms to 1 h: the lag objective (p99 ≤ 1 s) sits well inside.
            DistributionSummary.builder("skyferry.replication.lag").baseUnit("seconds").tag("direction", direction.label())
                    .serviceLevelObjectives(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
                    .register(registry).record(lag.toNanos() / 1e9);
        }
    }

    @Override
    public void queueDepth(String source, long depth) {
        queueDepths.computeIfAbsent(source, name -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("skyferry.queue.depth", value, AtomicLong::get).tag("source", name)
                    .description("Approximate messages waiting").register(registry);
            return value;
        }).set(depth);
    }

    @Override
    public void receiveAnswered(String source, Duration roundTrip) {
        timer("skyferry.receive.duration").tag("source", source)
                .description("Round trip of a queue receive that returned messages")
                .register(registry).record(roundTrip);
    }

    @Override
    public void copySlotWaited(String source, Duration wait) {
        timer("skyferry.copy.slot.wait").tag("source", source)
                .description("Time a received message waited for a copy slot")
                .register(registry).record(wait);
    }

    @Override
    public void settleAnswered(String source, String action, Duration roundTrip) {
        timer("skyferry.settle.duration").tag("source", source).tag("action", action)
                .description("Round trip of a delete, release or dead-letter move, retries included")
                .register(registry).record(roundTrip);
    }

    private static Timer.Builder timer(String name) {
        return Timer.builder(name).publishPercentileHistogram().maximumExpectedValue(LONGEST_TIMED);
    }

    @Override
    public void retrying(Endpoint endpoint, int attempt, Throwable failure, Duration wait) {
        Counter.builder("skyferry.store.retries").tag("endpoint", endpoint.toString()).tag("kind", kindOf(failure))
                .description("In-process retries of store, queue and STS calls, by what failed")
                .register(registry).increment();
    }

    /** The store failure's kind; what else is retried (I/O errors, timeouts) is transient as UNAVAILABLE is. */
    private static String kindOf(Throwable failure) {
        StoreException store = StoreException.foundIn(failure);
        return (store == null ? StoreException.Kind.UNAVAILABLE : store.kind()).reason();
    }

    @Override
    public void serverSideFallback(String reason) {
        Counter.builder("skyferry.server.side.fallbacks").tag("reason", reason).register(registry).increment();
    }
}
