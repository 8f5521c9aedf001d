package dev.skyferry.ack;

import java.net.URI;
import java.time.Duration;

/**
 * How handling one event ended. Each outcome maps to one fixed queue action (see
 * {@link #settlesMessage()}): replicated and skipped delete the message, retry releases it with a
 * delay, dead-letter moves it aside with the reason. Only {@link Replicated} says a replica exists.
 */
public sealed interface Outcome {

    /**
     * The replica was written and verified (or deleted / tombstoned, for delete events).
     *
     * @param target the replica's URI, for the worker's audit line (its key differs from the source's under a prefix)
     */
    record Replicated(String action, long bytes, Duration copyTime, URI target) implements Outcome {}

    /** Deliberately not replicated: the reason is a short stable code plus detail, e.g. {@code echo-of-replica}. */
    record Skipped(String reason, String detail) implements Outcome {}

    /** A transient failure that outlived the in-process retries: redeliver later. */
    record Retry(String reason, String detail, Throwable cause) implements Outcome {}

    /** A permanent failure: dead-letter at once with the reason. */
    record DeadLetter(String reason, String detail, Throwable cause) implements Outcome {}

    /** True when the message may be deleted from its queue after this outcome (dead-letter copies first). */
    default boolean settlesMessage() {
        return !(this instanceof Retry);
    }

    /** The stable reason code for metrics labels; "replicated" for success. */
    default String reasonCode() {
        return switch (this) {
            case Replicated r -> "replicated";
            case Skipped s -> s.reason();
            case Retry r -> r.reason();
            case DeadLetter d -> d.reason();
        };
    }
}
