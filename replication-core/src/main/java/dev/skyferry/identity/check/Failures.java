package dev.skyferry.identity.check;

import com.azure.core.exception.HttpResponseException;
import dev.skyferry.identity.IdentityFailure;
import dev.skyferry.identity.IdentityFailures;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** What a failed probe call was: an identity failure, an Azure storage error, an AWS error, or else. */
final class Failures {

    /** An Azure Storage error: HTTP status and x-ms-error-code. */
    record AzureError(int status, String code, String message) {}

    /** An AWS service error: HTTP status and error code. */
    record AwsError(int status, String code, String message) {}

    private Failures() {}

    /**
     * The identity failure behind a failed call, classified again from azure-identity's and MSAL's
     * exceptions where a sync storage client dropped the one our credential threw.
     */
    static Optional<IdentityFailure> identity(Throwable failure) {
        return Optional.ofNullable(IdentityFailures.ofStorageTokenRequest(failure));
    }

    static Optional<AzureError> azure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException http && http.getResponse() != null) {
                String code = http.getResponse().getHeaderValue("x-ms-error-code");
                return Optional.of(new AzureError(http.getResponse().getStatusCode(), code, firstLine(http.getMessage())));
            }
        }
        return Optional.empty();
    }

    static Optional<AwsError> aws(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException aws) {
                String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
                String message = aws.awsErrorDetails() == null ? aws.getMessage() : aws.awsErrorDetails().errorMessage();
                return Optional.of(new AwsError(aws.statusCode(), code, firstLine(message)));
            }
        }
        return Optional.empty();
    }

    /**
     * One line of the failure for the detail column; SAS query strings cut off. An identity failure's
     * hint is left to the row's fix line.
     */
    static String describe(Throwable failure) {
        var identity = identity(failure);
        if (identity.isPresent()) {
            return firstLine(identity.get().withoutHint());
        }
        var azure = azure(failure);
        if (azure.isPresent()) {
            return "HTTP " + azure.get().status() + (azure.get().code() == null ? "" : " " + azure.get().code());
        }
        var aws = aws(failure);
        if (aws.isPresent()) {
            return "HTTP " + aws.get().status() + (aws.get().code() == null ? "" : " " + aws.get().code())
                    + (aws.get().message() == null ? "" : ": " + aws.get().message());
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
    }

    static String firstLine(String message) {
        if (message == null) {
            return null;
        }
        String line = message.lines().findFirst().orElse("").strip();
        return line.replaceAll("(https?://[^\\s?\"'<>]*)\\?[^\\s\"'<>]*", "$1?<redacted>");
    }
}
