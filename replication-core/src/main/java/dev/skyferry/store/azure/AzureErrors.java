package dev.skyferry.store.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import com.azure.storage.blob.models.BlobStorageException;
import dev.skyferry.resilience.FailureClassifier;
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
        HttpResponseException http = find(failure, HttpResponseException.class);
        if (http != null) {
            HttpResponse response = http.getResponse();
            int status = response == null ? 0 : response.getStatusCode();
            String code = errorCode(http, response);
            if (status == 0) {
                // e.g. ClientAuthenticationException from a token credential, which has no storage response
                return new StoreException(StoreException.Kind.FORBIDDEN, 0, code,
                        operation + ": " + StoreErrors.firstLine(http.getMessage()), null, cause);
            }
            Duration retryAfter = response == null ? null
                    : StoreErrors.parseRetryAfter(response.getHeaderValue("Retry-After"), Instant.now());
            String serviceMessage = http instanceof BlobStorageException blob ? blob.getServiceMessage() : http.getMessage();
            String readable = StoreErrors.firstLine(messageElement(serviceMessage));
            if (AZURITE_MD5_MISMATCH_CODE.equals(code) && AZURITE_MD5_MISMATCH_MESSAGE.equals(readable)) {
                code = MD5_MISMATCH;
            }
            String message = operation + ": HTTP " + status + (code == null ? "" : " " + code) + ": " + readable;
            return new StoreException(StoreErrors.kindOf(status, code), status, code, message, retryAfter, cause);
        }
        StoreException refused = StoreErrors.credentialsRefused(failure, operation, cause);
        if (refused != null) {
            return refused;
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
        return response == null ? null : response.getHeaderValue("x-ms-error-code");
    }

    /** Connection resets, timeouts and credential hiccups marked transient by the identity package. */
    private static boolean isNetworkFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException
                    || t instanceof FailureClassifier.TransientFailure) {
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

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
