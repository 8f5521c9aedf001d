package dev.skyferry.queue;

import dev.skyferry.store.StoreException.Kind;
import java.time.Duration;
import java.util.Set;

/** Maps a queue service's HTTP status and error code to a failure {@link Kind}. */
final class QueueErrors {

    /** The message is no longer ours to touch: deleted, expired, or received again by someone else. */
    private static final Set<String> MESSAGE_GONE = Set.of(
            "MessageNotFound", "PopReceiptMismatch", // Azure
            "ReceiptHandleIsInvalid", "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight"); // SQS

    private static final Set<String> THROTTLING = Set.of(
            "ServerBusy", "ThrottlingException", "RequestThrottled", "Throttling", "KmsThrottled",
            "AWS.SimpleQueueService.RequestThrottled");

    private QueueErrors() {}

    static Kind kindFor(int status, String errorCode) {
        if (errorCode != null && MESSAGE_GONE.contains(errorCode)) {
            return Kind.NOT_FOUND;
        }
        if (status == 429 || (errorCode != null && THROTTLING.contains(errorCode))) {
            return Kind.THROTTLED;
        }
        if (status == 503) {
            return Kind.THROTTLED;
        }
        if (status >= 500 || status == 408) {
            return Kind.UNAVAILABLE;
        }
        return switch (status) {
            case 401, 403 -> Kind.FORBIDDEN;
            case 404 -> Kind.NOT_FOUND;
            case 409 -> Kind.CONFLICT;
            default -> Kind.BAD_REQUEST;
        };
    }

    /** A Retry-After header in seconds, or null. (The HTTP-date form is not used by these services.) */
    static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException notSeconds) {
            return null;
        }
    }
}
