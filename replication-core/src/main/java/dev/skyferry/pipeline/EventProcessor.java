package dev.skyferry.pipeline;

import dev.skyferry.ack.Outcome;
import dev.skyferry.event.ReplicationEvent;

/**
 * Handles one normalized event end to end: route → plan → copy → verify. The worker calls it once
 * per accepted event and maps the {@link Outcome} to a queue action.
 *
 * <p>Contract: never throws; every failure becomes an {@link Outcome}. Interruptible: when the calling
 * thread is interrupted (shutdown past the drain grace), in-progress writes are aborted so no partial
 * replica is visible, and the outcome is a {@link Outcome.Retry} with reason {@code interrupted}.
 */
@FunctionalInterface
public interface EventProcessor {
    Outcome process(ReplicationEvent event);
}
