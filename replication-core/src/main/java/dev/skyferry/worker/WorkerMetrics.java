package dev.skyferry.worker;

import dev.skyferry.resilience.Endpoint;
import dev.skyferry.resilience.RetryObserver;
import java.time.Duration;

/**
 * What the worker reports, with no metrics library in the core (Caffeine's {@code StatsCounter} idea):
 * the app implements this with Micrometer under the names in docs/configuration.md. Called on the
 * worker's threads, concurrently: implementations must be thread-safe and cheap.
 *
 * <ul>
 *   <li>{@link #eventReceived} → {@code skyferry_events_received_total{source,direction}}</li>
 *   <li>{@link #eventSettled} → {@code skyferry_events_total{direction,outcome,reason}}, and for
 *       replicated events {@code skyferry_bytes_replicated_total}, {@code skyferry_copy_duration_seconds},
 *       {@code skyferry_replication_lag_seconds}</li>
 *   <li>{@link #queueDepth} → {@code skyferry_queue_depth{source}}</li>
 *   <li>where a message's time goes, per source: {@link #receiveAnswered} →
 *       {@code skyferry_receive_duration_seconds}, {@link #copySlotWaited} →
 *       {@code skyferry_copy_slot_wait_seconds}, {@link #settleAnswered} →
 *       {@code skyferry_settle_duration_seconds{source,action}}; with {@code skyferry_copy_duration_seconds}
 *       they tell a slow queue from slow copies</li>
 *   <li>{@link #retrying} → {@code skyferry_store_retries_total{endpoint}} (pass this object as the
 *       {@code RetryObserver} of {@code ResilientCalls})</li>
 *   <li>{@code skyferry_copies_in_flight}: a gauge on {@link Worker#inFlight()}; breaker states: bind
 *       {@code EndpointBreakers.registry()} with resilience4j-micrometer.</li>
 * </ul>
 */
public interface WorkerMetrics extends RetryObserver {

    /** The {@code action} of {@link #settleAnswered}. */
    String DELETE = "delete";
    String RELEASE = "release";
    String DEAD_LETTER = "dead_letter";

    /** Reports nothing. */
    WorkerMetrics NONE = new WorkerMetrics() {
        @Override
        public void eventReceived(String source, Direction direction) {
        }

        @Override
        public void eventSettled(Direction direction, EventOutcome outcome, String reason, long bytes,
                                 Duration copyDuration, Duration lag) {
        }

        @Override
        public void queueDepth(String source, long depth) {
        }
    };

    /** One event (or one unreadable item) arrived in a message from {@code source}. */
    void eventReceived(String source, Direction direction);

    /**
     * One event settled, counted once its message was deleted, released or dead-lettered.
     *
     * @param reason       stable reason code; {@code replicated} for success
     * @param bytes        bytes copied; 0 unless replicated
     * @param copyDuration time the copy took; null unless replicated
     * @param lag          event time → replica verified; null unless replicated
     */
    void eventSettled(Direction direction, EventOutcome outcome, String reason, long bytes,
                      Duration copyDuration, Duration lag);

    /** The approximate number of messages waiting in {@code source}. */
    void queueDepth(String source, long depth);

    /**
     * A receive from {@code source} returned messages after {@code roundTrip} (empty answers are not
     * reported: an idle queue's long poll lasts its whole wait).
     */
    default void receiveAnswered(String source, Duration roundTrip) {
    }

    /** A message of {@code source} waited {@code wait} between its receive's answer and its copy slot. */
    default void copySlotWaited(String source, Duration wait) {
    }

    /** A settling call ({@link #DELETE}, {@link #RELEASE}, {@link #DEAD_LETTER}) succeeded after {@code roundTrip}, retries included. */
    default void settleAnswered(String source, String action, Duration roundTrip) {
    }

    @Override
    default void retrying(Endpoint endpoint, int attempt, Throwable failure, Duration wait) {
    }
}
