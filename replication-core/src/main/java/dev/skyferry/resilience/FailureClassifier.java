package dev.skyferry.resilience;

import dev.skyferry.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * The one place that decides whether a failure is worth retrying. Deliberately narrow: throttling,
 * 5xx, timeouts, connection resets and a body the service refused for its checksum (the bytes changed
 * on the way; the same bytes go again) are transient; everything else (403, 400, source bytes that do
 * not match the source's own checksum, a rule violation) is permanent and goes to the dead-letter
 * queue at once.
 */
public final class FailureClassifier {

    private FailureClassifier() {}

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreException store) {
                return switch (store.kind()) {
                    case THROTTLED, UNAVAILABLE -> true;
                    // A concurrent conditional write (S3 ConditionalRequestConflict) resolves on retry.
                    case CONFLICT -> true;
                    case CHECKSUM_REFUSED -> true;
                    default -> false;
                };
            }
            if (t instanceof TransientFailure) {
                return true;
            }
            if (t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof TimeoutException || t instanceof HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Marker for failures other packages know to be transient (e.g. STS IDPCommunicationError). */
    public interface TransientFailure {}
}
