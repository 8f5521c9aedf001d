package dev.skyferry.worker;

import dev.skyferry.logging.LogContext;
import dev.skyferry.resilience.FailureClassifier;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one message invisible while it is worked on: every {@code interval}, runs {@code extend}. A
 * transient failure is tried again at the next beat (the visibility timeout is three beats long); a
 * permanent one (the message is no longer ours, or SQS's 12 h cap is reached) ends the heartbeat.
 *
 * <p>{@link #close()} stops it and waits for a beat in progress, so the message is never settled
 * while its visibility is being changed (an Azure pop receipt changes with every beat).
 */
final class Heartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;

    private Heartbeat(String name, Duration interval, Runnable extend) {
        thread = Thread.ofVirtual().name("heartbeat-" + name).start(LogContext.carriedInto(() -> beat(interval, extend)));
    }

    static Heartbeat start(String name, Duration interval, Runnable extend) {
        return new Heartbeat(name, interval, extend);
    }

    private void beat(Duration interval, Runnable extend) {
        try {
            while (!stopped.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                try {
                    extend.run();
                } catch (RuntimeException e) {
                    if (!FailureClassifier.isTransient(e)) {
                        log.warn("visibility heartbeat stopped: {}; the message may be delivered again", e.getMessage());
                        return;
                    }
                    log.warn("visibility heartbeat failed, trying again at the next beat: {}", e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped.countDown();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
