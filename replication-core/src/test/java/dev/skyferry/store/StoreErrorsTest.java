package dev.skyferry.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.store.StoreException.Kind;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StoreErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "-", value = {
            "404, NoSuchKey, NOT_FOUND",
            "404, BlobNotFound, NOT_FOUND",
            "404, -, NOT_FOUND",
            "412, PreconditionFailed, PRECONDITION_FAILED",
            "412, ConditionNotMet, PRECONDITION_FAILED",
            "409, BlobAlreadyExists, PRECONDITION_FAILED",
            "409, ConditionNotMet, PRECONDITION_FAILED",
            "409, ConditionalRequestConflict, CONFLICT",
            "409, LeaseIdMissing, CONFLICT",
            "409, BlobArchived, ARCHIVED",
            "409, BlobImmutableDueToPolicy, BAD_REQUEST",
            "429, -, THROTTLED",
            "503, SlowDown, THROTTLED",
            "503, ServerBusy, THROTTLED",
            "400, SlowDown, THROTTLED",
            "500, InternalError, UNAVAILABLE",
            "500, OperationTimedOut, UNAVAILABLE",
            "502, -, UNAVAILABLE",
            "501, NotImplemented, UNSUPPORTED",
            "400, NotImplemented, UNSUPPORTED",
            "401, -, FORBIDDEN",
            "403, AccessDenied, FORBIDDEN",
            "403, AuthorizationPermissionMismatch, FORBIDDEN",
            "403, RequestTimeTooSkewed, UNAVAILABLE",
            "403, InvalidObjectState, ARCHIVED",
            "400, RequestTimeout, UNAVAILABLE",
            "400, InvalidBlockList, CONFLICT",
            "400, BadDigest, CHECKSUM_REFUSED",
            "400, XAmzContentSHA256Mismatch, CHECKSUM_REFUSED",
            "400, Md5Mismatch, CHECKSUM_REFUSED",
            "400, Crc64Mismatch, CHECKSUM_REFUSED",
            "400, InvalidDigest, BAD_REQUEST",
            "400, InvalidMd5, BAD_REQUEST",
            "416, InvalidRange, BAD_REQUEST",
            "0, -, UNAVAILABLE",
    })
    void mapsStatusAndCodeToKind(int status, String code, Kind expected) {
        assertThat(StoreErrors.kindOf(status, code)).isEqualTo(expected);
    }

    @Test
    void parsesRetryAfterSecondsAndHttpDates() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(StoreErrors.parseRetryAfter("7", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(StoreErrors.parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(StoreErrors.parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(StoreErrors.parseRetryAfter("soon", now)).isNull();
        assertThat(StoreErrors.parseRetryAfter("-3", now)).isNull();
        assertThat(StoreErrors.parseRetryAfter(null, now)).isNull();
    }

    @Test
    void redactsSasAndPresignedQueriesFromMessages() {
        String message = "copy from https://acct.blob.core.windows.net/c/a%20b?sv=2023-01-03&sig=SECRET%2Bx&se=2026 failed;"
                + " source http://127.0.0.1:9000/bucket/k?X-Amz-Signature=abc123&X-Amz-Credential=AKIA/x said <Code>AccessDenied</Code>";
        String redacted = StoreErrors.redact(message);
        assertThat(redacted)
                .doesNotContain("SECRET").doesNotContain("abc123").doesNotContain("AKIA")
                .contains("https://acct.blob.core.windows.net/c/a%20b?<redacted>")
                .contains("http://127.0.0.1:9000/bucket/k?<redacted>")
                .contains("<Code>AccessDenied</Code>");
        assertThat(StoreErrors.redact("x-ms-copy-source sig=abc&se=1")).isEqualTo("x-ms-copy-source sig=<redacted>&se=1");
    }

    @Test
    void urlsForLogsKeepPathButNotQuery() throws Exception {
        assertThat(StoreErrors.withoutQuery(URI.create("https://h/b/k?X-Amz-Signature=s").toURL())).isEqualTo("https://h/b/k?<redacted>");
        assertThat(StoreErrors.withoutQuery(URI.create("https://h/b/k").toURL())).isEqualTo("https://h/b/k");
    }

    @Test
    void firstLineDropsServiceDiagnosticsAfterTheFirstLine() {
        assertThat(StoreErrors.firstLine("The specified blob does not exist.\nRequestId:1\nTime:2")).isEqualTo("The specified blob does not exist.");
        assertThat(StoreErrors.firstLine(null)).isEmpty();
    }
}
