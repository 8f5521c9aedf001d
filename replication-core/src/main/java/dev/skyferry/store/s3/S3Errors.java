package dev.skyferry.store.s3;

import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.store.StoreErrors;
import dev.skyferry.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Translates the AWS SDK's exceptions into {@link StoreException}. The kind table is
 * {@link StoreErrors#kindOf}; this class only finds status, error code and Retry-After in the SDK's types.
 */
final class S3Errors {

    private S3Errors() {}

    /** @param operation what we were doing, e.g. "put bucket/a.jpg" */
    static StoreException translate(RuntimeException failure, String operation) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Our own verdict, also where the SDK carries it as a cause (StsGuardedCredentials' circuit open).
            if (t instanceof StoreException already) {
                return already;
            }
        }
        if (failure instanceof SdkServiceException service) {
            int status = service.statusCode();
            String code = null;
            String serviceMessage = service.getMessage();
            Duration retryAfter = null;
            if (service instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
                AwsErrorDetails details = aws.awsErrorDetails();
                code = details.errorCode();
                serviceMessage = details.errorMessage();
                if (details.sdkHttpResponse() != null) {
                    retryAfter = details.sdkHttpResponse().firstMatchingHeader("Retry-After")
                            .map(value -> StoreErrors.parseRetryAfter(value, Instant.now()))
                            .orElse(null);
                }
            }
            String message = operation + ": HTTP " + status + (code == null ? "" : " " + code)
                    + (serviceMessage == null ? "" : ": " + StoreErrors.firstLine(serviceMessage));
            return new StoreException(StoreErrors.kindOf(status, code), status, code, message, retryAfter, failure);
        }
        StoreException refused = StoreErrors.credentialsRefused(failure, operation, failure);
        if (refused != null) {
            return refused;
        }
        if (isNetworkFailure(failure)) {
            return new StoreException(StoreException.Kind.UNAVAILABLE, 0, null,
                    operation + ": " + StoreErrors.firstLine(failure.getMessage()), null, failure);
        }
        // SdkClientException without an I/O cause: bad configuration, unloadable credentials, a bug.
        return new StoreException(StoreException.Kind.BAD_REQUEST, 0, null,
                operation + ": " + failure.getClass().getSimpleName() + ": " + StoreErrors.firstLine(failure.getMessage()),
                null, failure);
    }

    private static boolean isNetworkFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException
                    || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof FailureClassifier.TransientFailure) {
                return true;
            }
        }
        return false;
    }
}
