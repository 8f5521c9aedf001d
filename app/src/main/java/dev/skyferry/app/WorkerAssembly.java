package dev.skyferry.app;

import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.app.http.ObservabilityServer;
import dev.skyferry.app.metrics.MicrometerMetrics;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.event.EventParser;
import dev.skyferry.pipeline.ReplicationPipeline;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.queue.AzureQueueSource;
import dev.skyferry.queue.SqsSource;
import dev.skyferry.queue.SqsSourceSettings;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.worker.HealthProbe;
import dev.skyferry.worker.HealthStatus;
import dev.skyferry.worker.Worker;
import dev.skyferry.worker.WorkerSettings;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;

/**
 * Wires {@code skyferry run} from a validated config: identities and stores ({@link Wiring}), the
 * replication pipeline, one message source per configured queue, the worker, metrics and the HTTP
 * endpoints. It decides nothing itself; every policy lives in core.
 */
public final class WorkerAssembly {

    /** The readiness probe stats this key: a HEAD that answers 404 proves reachability and permission. */
    static final String PROBE_KEY = ".skyferry-readiness-probe";

    private WorkerAssembly() {}

    public static RunningWorker start(SkyferryConfig config, Map<String, String> env) {
        LoggingSetup.apply(config.logging().format(), config.logging().level());
        CopySettings copySettings = config.copy().settingsFor(Runtime.getRuntime().maxMemory());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerMetrics metrics = new MicrometerMetrics(registry);
        Wiring wiring = Wiring.create(config, env, metrics);
        try {
            Clock clock = Clock.systemUTC();
            SkyferryConfig.Copy copy = config.copy();
            BufferBudget budget = BufferBudget.forSettings(copySettings);
            ReplicationPipeline pipeline = new ReplicationPipeline(wiring.rules(), wiring::store, copySettings, budget,
                    clock, metrics);

            EventParser parser = new EventParser();
            Worker.Builder builder = Worker.builder()
                    .settings(new WorkerSettings(copy.maxCopiesInFlight(), config.worker().drainGrace()))
                    .calls(wiring.calls())
                    .processor(pipeline)
                    .metrics(metrics)
                    .clock(clock);
            for (SkyferryConfig.Source source : config.sources()) {
                if (SkyferryConfig.Source.AZURE_QUEUE.equals(source.type())) {
                    var settings = new AzureQueueSettings(source.name(), source.visibilityTimeout(), source.maxDequeueCountOrDefault(),
                            source.minPollIntervalOrDefault(), source.maxPollIntervalOrDefault());
                    builder.source(new AzureQueueSource(settings, wiring.azureQueue(source.account(), source.queue()),
                            wiring.azureQueue(source.account(), source.poisonQueueOrDefault()), clock),
                            parser::parseAzureQueueMessage);
                } else {
                    SqsSource sqsSource = sqsSource(source, wiring, clock);
                    sqsSource.warnIfNowhereToDeadLetter(wiring.calls().settings().maxRedeliveryDelay());
                    builder.source(sqsSource, parser::parseSqsMessage);
                }
            }
            for (ObjectStore store : wiring.ruleStores()) {
                builder.probe(HealthProbe.ofStore(store.kind() + " " + store.container(), store, PROBE_KEY));
            }
            Worker worker = builder.build();

            metrics.bindGauges(worker::inFlight, budget::inUse);
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(wiring.calls().breakers().registry()).bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);

            ObservabilityServer http = new ObservabilityServer(config.worker().http().port(),
                    () -> health(worker.health().liveness()), () -> health(worker.health().readiness()), registry);
            worker.start();
            return new RunningWorker(worker, http, wiring, config.worker().drainGrace());
        } catch (IOException e) {
            wiring.close();
            throw new UncheckedIOException("cannot open the HTTP port " + config.worker().http().port() + " (" + e.getMessage()
                    + "): another process may hold it; set worker.http.port (skyferry local: --http-port, 0 for any free port)", e);
        } catch (RuntimeException e) {
            wiring.close();
            throw e;
        }
    }

    /** The {@code type: sqs} source as configured, for {@code run} and {@code check}. */
    static SqsSource sqsSource(SkyferryConfig.Source source, Wiring wiring, Clock clock) {
        var settings = new SqsSourceSettings(source.name(), source.queueUrl(), source.deadLetterQueueUrl(),
                source.visibilityTimeout());
        return new SqsSource(settings, wiring.sqs(), wiring.sqsDeletes(), clock);
    }

    private static ObservabilityServer.Health health(HealthStatus status) {
        return new ObservabilityServer.Health(status.ok(), status.reasons());
    }
}
