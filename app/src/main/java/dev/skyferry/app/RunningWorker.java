package dev.skyferry.app;

import dev.skyferry.app.http.ObservabilityServer;
import dev.skyferry.worker.Worker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** A started worker with its HTTP endpoints; {@link #close()} drains it within the configured grace. */
public final class RunningWorker implements AutoCloseable {

    private final Worker worker;
    private final ObservabilityServer http;
    private final Wiring wiring;
    private final Duration drainGrace;
    private final AtomicBoolean closed = new AtomicBoolean();

    RunningWorker(Worker worker, ObservabilityServer http, Wiring wiring, Duration drainGrace) {
        this.worker = worker;
        this.http = http;
        this.wiring = wiring;
        this.drainGrace = drainGrace;
    }

    public int httpPort() {
        return http.port();
    }

    public Worker worker() {
        return worker;
    }

    /**
     * Stops receiving, lets in-flight copies finish within the drain grace, releases the rest to their
     * queues, then closes endpoints and clients. Safe to call twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        worker.stop(drainGrace);
        http.close();
        wiring.close();
    }
}
