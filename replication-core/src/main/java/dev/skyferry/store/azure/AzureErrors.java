package dev.skyferry.store.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobStorageException;
import dev.skyferry.identity.IdentityFailure;
import dev.skyferry.identity.IdentityFailures;
import dev.skyferry.identity.IdentityRejectedException;
import dev.skyferry.identity.IdentityUnavailableException;
import dev.skyferry.store.StoreErrors;
import dev.skyferry.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates the Azure SDK's exceptions into {@link StoreException}. The kind table is
 * {@link StoreErrors#kindOf}; this class only finds status, error code and Retry-After in Azure's types.
 * A call that failed for want of an Entra token is classified by {@link IdentityFailures}: transient
 * (UNAVAILABLE) or refused (FORBIDDEN, with the hint).
 */
final class AzureErrors {

    private static final Pattern MESSAGE_ELEMENT = Pattern.compile("<Message>([^<]*)</Message>");

    private static final String MD5_MISMATCH = "Md5Mismatch";
    /**
     * What Azurite (3.35, BlockBlobHandler) answers to a Put Blob or Put Block whose body does not match
     * its Content-MD5, where Azure answers Md5Mismatch: read as Azure's code, so the local run and the
     * tests treat a refused body as Azure would.
     */
    private static final String AZURITE_MD5_MISMATCH_CODE = "InvalidOperation";
    private static final String AZURITE_MD5_MISMATCH_MESSAGE = "Provided contentMD5 doesn't match.";

    private AzureErrors() {}

    /**
     * @param operation what we were doing, e.g. "put photos/a.jpg"
     * @param keepCause false where the SDK's own message may echo a copy-source URL with its SAS /
     *                  pre-signed query (Put Blob/Block From URL): the SDK exception is then not chained
     */
    static StoreException translate(RuntimeException failure, String operation, boolean keepCause) {
        if (failure instanceof StoreException already) {
            return already;
        }
        Throwable cause = keepCause ? failure : null;
        // First: a failed token request is a ClientAuthenticationException without a response, which is
        // no storage answer, and the sync storage path may have dropped our credential's classification.
        IdentityFailure identity = IdentityFailures.ofStorageTokenRequest(failure);
        if (identity != null) {
            return switch (identity) {
                case IdentityUnavailableException unavailable -> new StoreException(StoreException.Kind.UNAVAILABLE, 0, null,
                        operation + ": " + StoreErrors.firstLine(unavailable.getMessage()), null, cause);
                case IdentityRejectedException rejected -> StoreErrors.credentialsRefused(rejected, operation, cause);
            };
        }
        HttpResponseException http = serviceAnswer(failure);
        if (http != null) {
            HttpResponse response = http.getResponse();
            int status = response.getStatusCode();
            String code = errorCode(http, response);
            Duration retryAfter = StoreErrors.parseRetryAfter(response.getHeaderValue("Retry-After"), Instant.now());
            String serviceMessage = http instanceof BlobStorageException blob ? blob.getServiceMessage() : http.getMessage();
            String readable = StoreErrors.firstLine(messageElement(serviceMessage));
            if (AZURITE_MD5_MISMATCH_CODE.equals(code) && AZURITE_MD5_MISMATCH_MESSAGE.equals(readable)) {
                code = MD5_MISMATCH;
            }
            String message = operation + ": HTTP " + status + (code == null ? "" : " " + code) + ": " + readable;
            return new StoreException(StoreErrors.kindOf(status, code), status, code, message, retryAfter, cause);
        }
        if (isNetworkFailure(failure)) {
            return new StoreException(StoreException.Kind.UNAVAILABLE, 0, null,
                    operation + ": " + StoreErrors.firstLine(String.valueOf(rootMessage(failure))), null, cause);
        }
        return new StoreException(StoreException.Kind.BAD_REQUEST, 0, null,
                operation + ": " + failure.getClass().getSimpleName() + ": " + StoreErrors.firstLine(failure.getMessage()),
                null, cause);
    }

    /**
     * When the SDK could not parse the error body, its "service message" is the whole raw XML; the
     * readable part is the {@code <Message>} element.
     */
    private static String messageElement(String serviceMessage) {
        if (serviceMessage == null) {
            return null;
        }
        Matcher element = MESSAGE_ELEMENT.matcher(serviceMessage);
        return element.find() ? element.group(1) : serviceMessage;
    }

    private static String errorCode(HttpResponseException http, HttpResponse response) {
        if (http instanceof BlobStorageException blob && blob.getErrorCode() != null) {
            return blob.getErrorCode().toString();
        }
        return response.getHeaderValue("x-ms-error-code");
    }

    /** Connection resets and timeouts. */
    private static boolean isNetworkFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
                return true;
            }
            // Reactor's block() reports a timed-out wait as IllegalStateException("Timeout on blocking read ...").
            if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).startsWith("Timeout on blocking read")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** The service's error response in the chain, if the call got that far. */
    private static HttpResponseException serviceAnswer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException http && http.getResponse() != null) {
                return http;
            }
        }
        return null;
    }
}
