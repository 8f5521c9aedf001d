package dev.skyferry.identity;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.sts.model.ExpiredTokenException;
import software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException;
import software.amazon.awssdk.services.sts.model.IdpRejectedClaimException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.OutboundWebIdentityFederationDisabledException;
import software.amazon.awssdk.services.sts.model.RegionDisabledException;

/**
 * Remediation hints for the identity failures people actually hit when wiring Entra ID to AWS and
 * back (sources in /work/shared/reference/identity.md): what the error means and what to change.
 */
public final class IdentityHints {

    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");
    private static final Pattern NO_PROVIDER = Pattern.compile("No OpenIDConnect provider found in your account for (\\S+)");

    private IdentityHints() {}

    /**
     * What was asked and what the presented token said, when known; any part may be null.
     *
     * @param audience the configured aws.auth.audience (Entra app ID URI), or the scope's resource of an Entra request
     * @param roleArn  the role STS was asked to assume
     * @param claims   the claims of the token STS was shown
     * @param token    which token STS was shown, so that a hint names the right one
     */
    public record Context(String audience, String roleArn, TokenClaims claims, WebIdentityToken token) {
        public static final Context NONE = new Context(null, null, null, null);

        /** An Entra token request for {@code audience}: no STS call, no role. */
        public static Context entraRequest(String audience) {
            return new Context(audience, null, null, null);
        }
    }

    /** The token an {@code aws.auth.mode} shows STS AssumeRoleWithWebIdentity. */
    public enum WebIdentityToken {
        /** {@code azure-federated}: an Entra token for aws.auth.audience. */
        ENTRA,
        /**
         * {@code web-identity-file}: the token in aws.auth.webIdentityTokenFile — on Kubernetes a projected
         * service-account token, issued by the cluster and rewritten by the kubelet; Entra plays no part.
         */
        TOKEN_FILE
    }

    /** The AADSTS error number in a failure's message chain, if any (e.g. 501051). */
    public static Optional<String> aadstsCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                Matcher m = AADSTS.matcher(t.getMessage());
                if (m.find()) {
                    return Optional.of(m.group(1));
                }
            }
        }
        return Optional.empty();
    }

    /** A hint for a failed Entra token request, or null when the failure is not a known one. */
    public static String forEntra(Throwable failure, Context ctx) {
        String code = aadstsCode(failure).orElse(null);
        if (code == null) {
            String text = messages(failure);
            if (text.contains("IMDS") || text.contains("169.254.169.254")) {
                return "no managed identity endpoint answered: is the worker running on Azure with a managed identity"
                        + " assigned (system- or user-assigned; for user-assigned set azure.auth.clientId)?";
            }
            if (isUnreachable(failure)) {
                return "the token endpoint is unreachable from here (connection refused, no route, or no answer): check"
                        + " DNS, firewall and proxy egress to azure.auth.authorityHost (login.microsoftonline.com unless"
                        + " set) or to the managed identity endpoint; transient, the worker retries it";
            }
            return null;
        }
        String resource = ctx.audience() != null ? "'" + ctx.audience() + "'" : "the requested resource";
        return switch (code) {
            case "501051" -> "the identity is not assigned to an app role of the Entra app " + resource
                    + " while 'Assignment required' is on: assign it an app role (Graph appRoleAssignments,"
                    + " see docs/identity.md); tokens are cached, so a new assignment can take a while to show";
            case "500011" -> "no Entra app with the application ID URI " + resource + " in this tenant:"
                    + " check aws.auth.audience against the app registration's 'Application ID URI'";
            case "700016" -> "no app with this client id in the tenant: check azure.auth.clientId and azure.auth.tenantId";
            case "90002" -> "the tenant does not exist: check azure.auth.tenantId and azure.auth.authorityHost (sovereign clouds use their own host)";
            case "7000215" -> "the client secret is wrong: check azure.auth.clientSecret (the secret's value, not its id)";
            case "7000222" -> "the client secret has expired: create a new one, or better switch to a managed identity";
            case "700027" -> "the client assertion's signature was not accepted: is this certificate uploaded to the app registration?";
            case "70021", "700211", "700212", "700213" -> "no federated identity credential matches the presented token:"
                    + " its issuer and subject must equal the token's iss and sub exactly (no extra trailing slash) and"
                    + " its audience must be api://AzureADTokenExchange; a new credential can take a minute to propagate";
            case "50166" -> "Entra could not fetch the federated token issuer's discovery document or keys (its OIDC"
                    + " issuer URL must be publicly reachable over https); transient, retried";
            case "700024" -> "the federated token is expired or not yet valid: check the token file is refreshed (projected volume) and the clock";
            default -> null;
        };
    }

    /** A hint for a failed STS web-identity call (AssumeRoleWithWebIdentity, GetWebIdentityToken), or null when not a known one. */
    public static String forStsWebIdentity(Throwable failure, Context ctx) {
        AwsServiceException sts = find(failure, AwsServiceException.class);
        if (sts == null) {
            return null;
        }
        String message = sts.awsErrorDetails() != null && sts.awsErrorDetails().errorMessage() != null
                ? sts.awsErrorDetails().errorMessage() : String.valueOf(sts.getMessage());
        TokenClaims claims = ctx.claims();
        String iss = claims != null ? claims.issuer() : null;
        String aud = claims != null ? claims.audience() : null;
        if (sts instanceof IdpCommunicationErrorException) {
            return "STS could not reach the identity provider's OIDC discovery document or keys; transient, retried";
        }
        if (sts instanceof InvalidIdentityTokenException) {
            Matcher noProvider = NO_PROVIDER.matcher(message);
            if (noProvider.find()) {
                String url = noProvider.group(1);
                if (url.endsWith("/v2.0") || (claims != null && claims.isEntraV2())) {
                    return v2Hint(url);
                }
                return "create the IAM OIDC identity provider with the URL exactly '" + url + "'"
                        + (url.endsWith("/") ? " — including the trailing slash; a provider registered without it"
                        + " (e.g. https://sts.windows.net/<tenant>) does not match the token's iss" : "");
            }
            if (message.contains("audience")) {
                if (claims != null && claims.isEntraV2()) {
                    return v2Hint(iss);
                }
                return "audience mismatch: the token's aud is '" + aud + "'; add exactly that value as a client ID"
                        + " (audience) of the IAM OIDC provider" + (iss != null ? " for " + iss : "")
                        + switch (ctx.token()) {
                            case ENTRA -> ", and keep aws.auth.audience equal to the Entra app's application ID URI";
                            case TOKEN_FILE -> ", or project the token with an audience the provider lists"
                                    + " (sts.amazonaws.com for EKS IRSA)";
                            case null -> "";
                        };
            }
            if (message.contains("verification key")) {
                return "STS could not fetch the provider's signing keys; usually transient, retried";
            }
            return "STS rejected the token: " + message;
        }
        if (sts instanceof ExpiredTokenException) {
            return switch (ctx.token()) {
                case ENTRA -> "the Entra token had expired when STS checked it: check the host clock (NTP)";
                // The kubelet rewrites a projected token well before it expires: a stale one is a copy, not the volume.
                case TOKEN_FILE -> "the token in aws.auth.webIdentityTokenFile had expired when STS checked it: it must"
                        + " be the projected service-account token volume's file, which the kubelet rewrites before"
                        + " expiry (not a copy taken once); check the host clock (NTP) too";
                case null -> "the web identity token had expired when STS checked it: check the host clock (NTP)";
            };
        }
        if (sts instanceof IdpRejectedClaimException) {
            return "the identity provider rejected the claims: " + message;
        }
        if (sts instanceof OutboundWebIdentityFederationDisabledException) {
            return "IAM outbound identity federation is off in this account: enable it"
                    + " (aws iam enable-outbound-web-identity-federation) or use azure.auth.awsTokenSource file";
        }
        if (sts instanceof RegionDisabledException) {
            return "STS is not activated in this region: activate it in IAM account settings or set aws.endpoints.sts";
        }
        if ("AccessDenied".equals(sts.awsErrorDetails() != null ? sts.awsErrorDetails().errorCode() : null)) {
            String provider = iss == null ? "<provider>" : iss.replaceFirst("^https://", "");
            return "the trust policy of " + (ctx.roleArn() != null ? ctx.roleArn() : "the role")
                    + " must allow sts:AssumeRoleWithWebIdentity for Federated '" + provider + "' with StringEquals on '"
                    + provider + ":aud' = '" + (aud != null ? aud : "<audience>") + "' and '" + provider + ":sub' = '"
                    + (claims != null && claims.subject() != null ? claims.subject() : expectedSubject(ctx)) + "'";
        }
        return null;
    }

    /** The sub a trust policy names for the token the mode presents, when the token's own claims are unknown. */
    private static String expectedSubject(Context ctx) {
        return switch (ctx.token()) {
            case ENTRA -> "<object id of the identity>";
            case TOKEN_FILE -> "system:serviceaccount:<namespace>:<service account>";
            case null -> "<the token's sub>";
        };
    }

    private static String v2Hint(String issuer) {
        return "the Entra app issues v2 tokens (iss " + (issuer != null ? issuer : "login.microsoftonline.com/<tenant>/v2.0")
                + ", aud = the app's client id); set \"accessTokenAcceptedVersion\" to null or 1 in the app manifest so tokens"
                + " carry iss https://sts.windows.net/<tenant>/ and aud = the application ID URI, which the IAM OIDC provider expects";
    }

    /** A connection that failed or an answer that never came, as opposed to an answer that refused. */
    private static boolean isUnreachable(Throwable failure) {
        return find(failure, SocketException.class) != null || find(failure, UnknownHostException.class) != null
                || find(failure, SocketTimeoutException.class) != null || find(failure, TimeoutException.class) != null;
    }

    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                all.append(t.getMessage()).append('\n');
            }
        }
        return all.toString();
    }
}
