package dev.skyferry.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {

    private final AtomicReference<String> seen = new AtomicReference<>();

    @AfterEach
    void clearContext() {
        MDC.clear();
    }

    @Test
    void aNewThreadRunsWithTheContextOfTheCallerAtTheTimeOfWrapping() throws InterruptedException {
        MDC.put("event", "azure event of photo.jpg");
        Runnable task = LogContext.carriedInto(recordingEventInto(seen));
        MDC.put("event", "a later event"); // captured when wrapped, not when run

        Thread.ofVirtual().start(task).join();

        assertThat(seen).hasValue("azure event of photo.jpg");
    }

    @Test
    void withoutWrappingANewThreadHasNoContext() throws InterruptedException {
        MDC.put("event", "azure event of photo.jpg");

        Thread.ofVirtual().start(recordingEventInto(seen)).join();

        assertThat(seen).hasValue("none");
    }

    @Test
    void aCallerWithoutContextHandsOnNone() throws InterruptedException {
        Thread.ofVirtual().start(LogContext.carriedInto(recordingEventInto(seen))).join();

        assertThat(seen).hasValue("none");
    }

    private static Runnable recordingEventInto(AtomicReference<String> seen) {
        return () -> seen.set(MDC.get("event") == null ? "none" : MDC.get("event"));
    }
}
