package dev.skyferry.queue;

import dev.skyferry.store.StoreErrors;
import dev.skyferry.store.StoreException.Kind;
import java.util.Set;

/**
 * Classifies a queue service's error: the queue-specific codes first, then the table all stores share
 * ({@link StoreErrors#kindOf}).
 */
final class QueueErrors {

    /** The message is no longer ours to touch: deleted, expired, or received again by someone else. */
    private static final Set<String> MESSAGE_GONE = Set.of(
            "MessageNotFound", "PopReceiptMismatch", // Azure
            "ReceiptHandleIsInvalid", "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight"); // SQS

    /** SQS throttling codes the shared table does not know. */
    private static final Set<String> THROTTLING = Set.of("KmsThrottled", "AWS.SimpleQueueService.RequestThrottled");

    private QueueErrors() {}

    static Kind kindFor(int status, String errorCode) {
        if (errorCode != null && MESSAGE_GONE.contains(errorCode)) {
            return Kind.NOT_FOUND;
        }
        if (errorCode != null && THROTTLING.contains(errorCode)) {
            return Kind.THROTTLED;
        }
        return StoreErrors.kindOf(status, errorCode);
    }
}
