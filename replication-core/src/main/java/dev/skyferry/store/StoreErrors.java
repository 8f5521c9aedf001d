package dev.skyferry.store;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HTTP-status-and-error-code to {@link StoreException.Kind} table both clouds share, plus the two
 * chores every SDK translator needs (Retry-After parsing, scrubbing URLs of their query strings).
 * The per-SDK translators ({@code AzureErrors}, {@code S3Errors}) only dig status, code and headers
 * out of their SDK's exception types and call {@link #kindOf}; the table itself lives here, once.
 */
public final class StoreErrors {

    /**
     * Marks a failure of the worker's own credentials — the identity provider refused the workload
     * (wrong audience, trust policy, expired secret) — thrown by a credential provider from inside an
     * SDK call. Stores report it as {@link StoreException.Kind#FORBIDDEN} with the provider's hint,
     * not as a malformed request.
     */
    public interface CredentialsRefused {}

    /**
     * FORBIDDEN with the identity provider's message when {@code failure}'s cause chain holds a
     * {@link CredentialsRefused}; null otherwise.
     *
     * @param cause what the StoreException chains (the SDK's exception, or null where it must not)
     */
    public static StoreException credentialsRefused(Throwable failure, String operation, Throwable cause) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CredentialsRefused) {
                return new StoreException(StoreException.Kind.FORBIDDEN, 0, null,
                        operation + ": credentials refused: " + firstLine(t.getMessage()), null, cause);
            }
        }
        return null;
    }

    /** Error codes that mean "slow down", whatever the status (S3 sometimes says SlowDown with 503, sometimes 429). */
    private static final Set<String> THROTTLING_CODES = Set.of(
            "SlowDown", "ServerBusy", "Throttling", "ThrottlingException", "RequestLimitExceeded",
            "TooManyRequests", "TooManyRequestsException", "RequestThrottled");

    /** 409 codes that report a failed If-Match / If-None-Match rather than a conflict. */
    private static final Set<String> CONDITION_CODES = Set.of(
            "ConditionNotMet", "BlobAlreadyExists", "TargetConditionNotMet", "PreconditionFailed");

    /**
     * 409 codes that describe a lasting state of the object, not a race: retrying cannot help, so
     * they are BAD_REQUEST. Every other 409 is CONFLICT (transient) — a wrong guess there costs a few
     * retries, a wrong guess the other way dead-letters a copy that would have succeeded.
     */
    private static final Set<String> PERMANENT_CONFLICT_CODES = Set.of(
            "BlobImmutableDueToPolicy", "BlobImmutableDueToLegalHold", "SnapshotsPresent", "InvalidBlobType",
            "BucketAlreadyExists", "BucketAlreadyOwnedByYou");

    /**
     * Codes for an object that must be restored from its archive tier first, whatever the status: S3
     * answers a GET or CopyObject of a Glacier / Deep Archive object with 403 InvalidObjectState, which
     * is no permission problem; Azure answers with 409.
     */
    private static final Set<String> ARCHIVED_CODES = Set.of(
            "InvalidObjectState", "BlobArchived", "OperationNotAllowedOnArchivedBlob");

    /**
     * 400 codes for a body that does not match its checksum (S3's Content-MD5 and signed SHA-256,
     * Azure's Content-MD5 and CRC64). Malformed checksum headers (InvalidDigest, InvalidMd5) are not
     * among them: those are the request's own fault.
     */
    private static final Set<String> CHECKSUM_REFUSED_CODES = Set.of(
            "BadDigest", "XAmzContentSHA256Mismatch", "Md5Mismatch", "Crc64Mismatch");

    /**
     * A URL's query string: SAS tokens and pre-signed signatures live there. Anything from '?' up to
     * whitespace, a quote or an XML tag boundary.
     */
    private static final Pattern URL_QUERY = Pattern.compile("(https?://[^\\s?\"'<>]*)\\?[^\\s\"'<>]*");

    /** Bare SAS / SigV4 query parameters that appear without their URL (e.g. in an echoed header). */
    private static final Pattern SIGNATURE_PARAMS = Pattern.compile(
            "(?i)\\b(sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|skoid|sktid|skt|ske|sks|skv|sv)=[^&\\s\"'<>]*");

    private StoreErrors() {}

    /**
     * Classifies a service error response.
     *
     * @param status    HTTP status (0 when there was no response)
     * @param errorCode the service's error code, or null
     */
    public static StoreException.Kind kindOf(int status, String errorCode) {
        String code = errorCode == null ? "" : errorCode;
        if (status == 0) {
            return StoreException.Kind.UNAVAILABLE;
        }
        if (status == 404) {
            return StoreException.Kind.NOT_FOUND;
        }
        if (status == 412 || (status == 409 && CONDITION_CODES.contains(code))) {
            return StoreException.Kind.PRECONDITION_FAILED;
        }
        if (status == 429 || status == 503 || THROTTLING_CODES.contains(code)) {
            return StoreException.Kind.THROTTLED;
        }
        if (status == 501 || code.equals("NotImplemented")) {
            return StoreException.Kind.UNSUPPORTED;
        }
        if (status >= 500) {
            return StoreException.Kind.UNAVAILABLE;
        }
        if (ARCHIVED_CODES.contains(code)) {
            return StoreException.Kind.ARCHIVED;
        }
        if (status == 401 || status == 403) {
            // The SDK corrects its clock offset from this very response, so the next attempt succeeds.
            return code.equals("RequestTimeTooSkewed") ? StoreException.Kind.UNAVAILABLE : StoreException.Kind.FORBIDDEN;
        }
        if (status == 409) {
            return PERMANENT_CONFLICT_CODES.contains(code) ? StoreException.Kind.BAD_REQUEST : StoreException.Kind.CONFLICT;
        }
        if (status == 408 || code.equals("RequestTimeout")) {
            // S3 answers 400 RequestTimeout when the request body stalled: a network hiccup.
            return StoreException.Kind.UNAVAILABLE;
        }
        if (CHECKSUM_REFUSED_CODES.contains(code)) {
            return StoreException.Kind.CHECKSUM_REFUSED;
        }
        if (code.equals("InvalidBlockList")) {
            // Azure discards every uncommitted block of a blob when anyone commits it, so a worker racing
            // another on the same key finds its blocks gone. A retry (and then the stale check) resolves it.
            return StoreException.Kind.CONFLICT;
        }
        return StoreException.Kind.BAD_REQUEST;
    }

    /**
     * Parses a Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
     *
     * @return null when absent or unreadable; never negative
     */
    public static Duration parseRetryAfter(String headerValue, Instant now) {
        if (headerValue == null || headerValue.isBlank()) {
            return null;
        }
        String value = headerValue.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration delay = Duration.between(now, at);
                return delay.isNegative() ? Duration.ZERO : delay;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /**
     * Removes query strings from any URL in {@code text} and masks bare signature parameters, so
     * messages can be logged without leaking SAS tokens or pre-signed signatures.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String withoutQueries = URL_QUERY.matcher(text).replaceAll("$1?<redacted>");
        return SIGNATURE_PARAMS.matcher(withoutQueries).replaceAll("$1=<redacted>");
    }

    /** A URL for logs: scheme, host, port and path, never the query. */
    public static String withoutQuery(java.net.URL url) {
        if (url == null) {
            return null;
        }
        String text = url.toString();
        int query = text.indexOf('?');
        return query < 0 ? text : text.substring(0, query) + "?<redacted>";
    }

    /** The first line of a service message, trimmed and redacted; services append request ids and XML. */
    public static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return redact(newline < 0 ? trimmed : trimmed.substring(0, newline).strip());
    }
}
