package dev.skyferry.queue;

import dev.skyferry.store.StoreException;
import java.time.Duration;

/**
 * A queue call failed. Same kinds as a store failure, so the one {@code FailureClassifier} decides
 * whether it is transient and the endpoint's breaker counts it.
 */
public class QueueException extends StoreException {

    public QueueException(Kind kind, int httpStatus, String errorCode, String message, Duration retryAfter, Throwable cause) {
        super(kind, httpStatus, errorCode, message, retryAfter, cause);
    }

    public QueueException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
