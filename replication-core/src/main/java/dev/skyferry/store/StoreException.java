package dev.skyferry.store;

import java.time.Duration;
import java.util.Locale;

/**
 * The one exception stores throw. Stores translate their SDK's errors into a {@link Kind}, the HTTP
 * status and the service's error code; whether that is worth retrying is decided in one place above
 * all stores ({@code dev.skyferry.resilience.FailureClassifier}), never inside a store.
 */
public class StoreException extends RuntimeException {

    public enum Kind {
        /** 404: the object, container or bucket does not exist. */
        NOT_FOUND,
        /** 412 (or 409 ConditionNotMet / BlobAlreadyExists for If-None-Match): a precondition failed. */
        PRECONDITION_FAILED,
        /** 409 other than a failed condition, e.g. a concurrent write (ConditionalRequestConflict). */
        CONFLICT,
        /** 429, 503, SlowDown, ServerBusy. */
        THROTTLED,
        /** Other 5xx, timeouts, connection resets: the service or the network had a bad moment. */
        UNAVAILABLE,
        /** 401/403: identity or permission problem. */
        FORBIDDEN,
        /**
         * The object is archived and must be restored before it can be read or copied: S3 Glacier and
         * Deep Archive (403 InvalidObjectState), Azure's Archive tier (409 BlobArchived).
         */
        ARCHIVED,
        /**
         * 400 BadDigest, Md5Mismatch, XAmzContentSHA256Mismatch, Crc64Mismatch: the service received
         * other bytes than the request's checksum describes. They changed on the way, after they were
         * hashed, so the same bytes sent again go through.
         */
        CHECKSUM_REFUSED,
        /** 400 and other 4xx: the request itself is wrong. */
        BAD_REQUEST,
        /** The store cannot do this at all (e.g. an emulator's 501 for Put Blob From URL). */
        UNSUPPORTED;

        /** As a reason code and metric label: {@code checksum-refused}, {@code throttled}, ... */
        public String reason() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Kind kind;
    private final int httpStatus;
    private final String errorCode;
    private final Duration retryAfter;

    public StoreException(Kind kind, int httpStatus, String errorCode, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        this(kind, 0, null, message, null, cause);
    }

    /** The first StoreException in {@code failure}'s cause chain (itself included), or null. */
    public static StoreException foundIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreException store) {
                return store;
            }
        }
        return null;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0 when the failure happened below HTTP (connection reset, timeout). */
    public int httpStatus() {
        return httpStatus;
    }

    /** The service's error code (S3 {@code SlowDown}, Azure {@code ServerBusy}, ...), or null. */
    public String errorCode() {
        return errorCode;
    }

    /**
     * True when the container or bucket itself does not exist (NOT_FOUND with ContainerNotFound or
     * NoSuchBucket): a configuration problem, not a missing object, and never a "source gone" skip.
     */
    public boolean containerMissing() {
        return kind == Kind.NOT_FOUND && ("ContainerNotFound".equals(errorCode) || "NoSuchBucket".equals(errorCode));
    }

    /** The service's Retry-After hint, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
