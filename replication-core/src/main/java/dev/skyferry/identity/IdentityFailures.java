package dev.skyferry.identity;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;

/** Turns SDK failures into {@link IdentityFailure}s: transient or rejected, with a hint. */
public final class IdentityFailures {

    private IdentityFailures() {}

    /**
     * The identity failure behind a failed Azure Storage call, or null when the call did not fail for
     * want of an Entra token. Storage clients cannot be trusted to hand back the {@link IdentityFailure}
     * our credential threw: on the sync path azure-storage-common's {@code StorageImplUtils.sendRequest}
     * rethrows its cause, leaving only what azure-identity and MSAL raised, so that chain is classified
     * again here, by the same rules.
     */
    public static IdentityFailure ofStorageTokenRequest(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // A ClientAuthenticationException with a response would be a service's 401, not a token request.
            if (t instanceof IdentityFailure || t instanceof MsalException
                    || (t instanceof ClientAuthenticationException auth && auth.getResponse() == null)) {
                return fromEntra(failure, "Azure Storage", IdentityHints.Context.NONE);
            }
        }
        return null;
    }

    /** A failed Entra token request. */
    static IdentityFailure fromEntra(Throwable failure, String scope, IdentityHints.Context ctx) {
        IdentityFailure already = alreadyClassified(failure);
        if (already != null) {
            return already;
        }
        String message = "could not get an Entra token for " + scope + ": " + firstLine(failure);
        String hint = IdentityHints.forEntra(failure, ctx);
        return isTransientEntra(failure)
                ? new IdentityUnavailableException(IdentityFailure.Side.AZURE, message, hint, failure)
                : new IdentityRejectedException(IdentityFailure.Side.AZURE, message, hint, failure);
    }

    /** A failed STS call that exchanges a web identity token (either direction). */
    static IdentityFailure fromSts(Throwable failure, String what, IdentityHints.Context ctx) {
        IdentityFailure already = alreadyClassified(failure);
        if (already != null) {
            return already;
        }
        String message = what + " failed: " + firstLine(failure);
        String hint = IdentityHints.forStsWebIdentity(failure, ctx);
        return isTransientSts(failure)
                ? new IdentityUnavailableException(IdentityFailure.Side.AWS, message, hint, failure)
                : new IdentityRejectedException(IdentityFailure.Side.AWS, message, hint, failure);
    }

    /**
     * An identity failure raised inside an SDK callback (the Entra token supplier of the STS provider,
     * the AWS assertion supplier of the Entra credential) comes back wrapped by that SDK; unwrap it.
     */
    private static IdentityFailure alreadyClassified(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IdentityFailure identity) {
                return identity;
            }
        }
        return null;
    }

    /** AADSTS50166: Entra could not reach the federated issuer's discovery document or keys. */
    private static final String EXTERNAL_OIDC_ENDPOINT_FAILED = "50166";

    /**
     * Refusals docs/identity.md tells people to wait out: a federated identity credential (70021,
     * 700211, 700213) or an app role assignment (501051) made a moment ago — as the deploy templates
     * do in the worker's own deployment — is not yet visible everywhere in Entra. Retried like an
     * outage rather than dead-lettering every event of the first minutes; when the setting really is
     * wrong, the event is dead-lettered after the queue's max deliveries, with the hint. (700212, a
     * matching credential with another audience, is no propagation delay.)
     */
    private static final Set<String> PROPAGATING_REFUSALS = Set.of("70021", "700211", "700213", "501051");

    /**
     * Refusals a managed identity endpoint passes on from Entra (the configuration problems
     * {@link IdentityHints#forEntra} explains, but for the propagation delays above), recognised by
     * their code because that answer reaches us without its HTTP status.
     */
    private static final Set<String> REFUSALS = Set.of(
            "500011", "700016", "90002", "7000215", "7000222", "700027", "700212", "700024");

    /** msal4j's message for IMDS's 400: the configured user-assigned identity is not on this VM. */
    private static final String IMDS_IDENTITY_NOT_ASSIGNED = "The requested identity has not been assigned to this resource";

    static boolean isTransientEntra(Throwable failure) {
        String code = IdentityHints.aadstsCode(failure).orElse(""); // Set.contains refuses null
        if (EXTERNAL_OIDC_ENDPOINT_FAILED.equals(code) || PROPAGATING_REFUSALS.contains(code)) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException http && http.getResponse() != null && isTransientStatus(http.getResponse().getStatusCode())) {
                return true;
            }
            // MSAL's status is an Integer, null when the failure happened before a response.
            if (t instanceof MsalServiceException msal && msal.statusCode() != null && isTransientStatus(msal.statusCode())) {
                return true;
            }
            if (t instanceof MsalServiceException msal && msal.statusCode() == null && msal.managedIdentitySource() != null) {
                // msal4j's managed identity sources keep the endpoint's message but drop its status, so
                // Entra unreachable behind App Service's endpoint (500) or IMDS throttling (429) looks like
                // any other answer: only a refusal we recognise is permanent.
                return !REFUSALS.contains(code) && !String.valueOf(msal.getMessage()).contains(IMDS_IDENTITY_NOT_ASSIGNED);
            }
            if (isNetwork(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * STS failures worth retrying: IDPCommunicationError, InvalidIdentityToken "Couldn't retrieve
     * verification key" (transient in practice: STS failed to fetch the JWKS), throttling, 5xx and the
     * network. The same predicate drives the STS client's own retries.
     */
    static boolean isTransientSts(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IdpCommunicationErrorException) {
                return true;
            }
            if (t instanceof InvalidIdentityTokenException invalid && invalid.getMessage() != null
                    && invalid.getMessage().toLowerCase(java.util.Locale.ROOT).contains("retrieve verification key")) {
                return true;
            }
            if (t instanceof AwsServiceException aws && (aws.isThrottlingException() || aws.statusCode() >= 500)) {
                return true;
            }
            if (t instanceof IdentityUnavailableException) {
                return true;
            }
            if (t instanceof SdkClientException && t.getCause() != null && isNetwork(t.getCause())) {
                return true;
            }
            if (isNetwork(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransientStatus(int status) {
        return status == 429 || status >= 500;
    }

    private static boolean isNetwork(Throwable t) {
        return t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException;
    }

    /**
     * The telling part of a failure: SDKs wrap the service's answer in layers of ExecutionException and
     * RuntimeException, so prefer the message that names an AADSTS code, else the innermost message;
     * one line, without Entra's trace/correlation ids.
     */
    static String firstLine(Throwable failure) {
        String chosen = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                if (t.getMessage().contains("AADSTS")) {
                    chosen = t.getMessage();
                    break;
                }
                chosen = t.getMessage();
            }
        }
        String message = chosen == null ? failure.getClass().getSimpleName() : chosen;
        int aadsts = message.indexOf("AADSTS");
        if (aadsts > 0) {
            message = message.substring(aadsts);
        }
        int trace = message.indexOf(" Trace ID:");
        if (trace > 0) {
            message = message.substring(0, trace);
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
