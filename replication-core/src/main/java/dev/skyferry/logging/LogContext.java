package dev.skyferry.logging;

import java.util.Map;
import org.slf4j.MDC;

/**
 * The log context (SLF4J's MDC: event id, message id, direction) is per thread, so work handed to a
 * new thread logs without it unless it is carried over. Every thread the pipeline starts for one
 * event (planning, part uploads, visibility heartbeats) goes through here, so its lines name the event.
 */
public final class LogContext {

    private LogContext() {
    }

    /**
     * Wraps {@code task} to run with the caller's log context, captured now. For a thread started just
     * for the task: the context is set, not restored afterwards.
     */
    public static Runnable carriedInto(Runnable task) {
        Map<String, String> callers = MDC.getCopyOfContextMap();
        return () -> {
            if (callers != null) {
                MDC.setContextMap(callers);
            }
            task.run();
        };
    }
}
