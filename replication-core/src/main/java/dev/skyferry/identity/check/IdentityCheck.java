package dev.skyferry.identity.check;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.skyferry.identity.AwsAuthMode;
import dev.skyferry.identity.AwsAuthSettings;
import dev.skyferry.identity.IdentityFailure;
import dev.skyferry.identity.TokenClaims;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The identity half of {@code skyferry check}: obtain both identities and say who they are. The
 * token's claims are decoded from its payload for display; the token itself is never printed.
 */
public final class IdentityCheck {

    /** The scope Azure Storage data-plane tokens are asked for. */
    public static final String STORAGE_SCOPE = "https://storage.azure.com/.default";

    /** The outcome of asking Entra for a token, and the token's claims when it came. */
    public record EntraIdentity(CheckResult result, TokenClaims claims) {}

    private IdentityCheck() {}

    /** Asks for a token for {@code scope}; PASS names oid, appid, aud, iss and ver. */
    public static EntraIdentity entraToken(TokenCredential credential, String scope) {
        try {
            String token = credential.getTokenSync(new TokenRequestContext().addScopes(scope)).getToken();
            TokenClaims claims = TokenClaims.decode(token);
            return new EntraIdentity(CheckResult.pass("entra token", scope, describe(claims)), claims);
        } catch (RuntimeException e) {
            String hint = Failures.identity(e).map(IdentityFailure::hint).orElse(null);
            return new EntraIdentity(CheckResult.fail("entra token", scope, Failures.describe(e), hint), null);
        }
    }

    /**
     * For {@code aws.auth.mode: azure-federated}: the Entra token for the audience, whether its claims
     * are what an IAM OIDC provider accepts (v1 issuer, aud = the app ID URI), and the STS exchange.
     *
     * @param awsCredentials the worker's AWS credentials (from {@code AwsCredentials.create})
     */
    public static List<CheckResult> federation(AwsAuthSettings settings, TokenCredential azure, AwsCredentialsProvider awsCredentials) {
        if (settings.mode() != AwsAuthMode.AZURE_FEDERATED) {
            throw new IllegalArgumentException("federation checks apply to aws.auth.mode azure-federated, not " + settings.mode());
        }
        List<CheckResult> rows = new ArrayList<>();
        EntraIdentity entra = entraToken(azure, settings.entraScope());
        rows.add(entra.result());
        if (entra.claims() != null) {
            rows.add(tokenShape(settings, entra.claims()));
        }
        rows.add(stsExchange(settings, awsCredentials));
        return rows;
    }

    /** GetCallerIdentity with the worker's AWS credentials: PASS names the ARN. */
    public static CheckResult awsCallerIdentity(StsClient sts) {
        try {
            var caller = sts.getCallerIdentity();
            return CheckResult.pass("aws identity", "sts:GetCallerIdentity", caller.arn() + " (account " + caller.account() + ")");
        } catch (RuntimeException e) {
            String hint = Failures.identity(e).map(IdentityFailure::hint).orElse(null);
            return CheckResult.fail("aws identity", "sts:GetCallerIdentity", Failures.describe(e), hint);
        }
    }

    /** An Entra token IAM will accept: v1 (iss https://sts.windows.net/<tenant>/) with aud = the configured audience. */
    static CheckResult tokenShape(AwsAuthSettings settings, TokenClaims claims) {
        String target = "IAM OIDC provider " + claims.issuer();
        if (claims.isEntraV2()) {
            return CheckResult.fail("token for aws", target, "v2 token: iss " + claims.issuer() + ", aud " + claims.audience(),
                    "set \"accessTokenAcceptedVersion\" to null or 1 in the manifest of the Entra app " + settings.audience()
                            + ": IAM expects iss https://sts.windows.net/<tenant>/ and aud = the application ID URI");
        }
        if (!settings.audience().equals(claims.audience())) {
            return CheckResult.fail("token for aws", target, "aud is " + claims.audience() + ", not aws.auth.audience "
                    + settings.audience(), "set aws.auth.audience to the Entra app's application ID URI exactly");
        }
        String provider = claims.issuer().replaceFirst("^https://", "");
        return CheckResult.pass("token for aws", target, "IAM needs the OIDC provider " + claims.issuer()
                + " (trailing slash included) with client ID " + claims.audience() + ", and the role's trust policy "
                + provider + ":aud = " + claims.audience() + ", " + provider + ":sub = " + claims.subject());
    }

    private static CheckResult stsExchange(AwsAuthSettings settings, AwsCredentialsProvider credentials) {
        try {
            AwsCredentials resolved = credentials.resolveCredentials();
            String until = resolved instanceof AwsSessionCredentials session && session.expirationTime().isPresent()
                    ? " until " + session.expirationTime().get() : "";
            return CheckResult.pass("sts exchange", settings.roleArn(), "session credentials" + until);
        } catch (RuntimeException e) {
            String hint = Failures.identity(e).map(IdentityFailure::hint).orElse(null);
            return CheckResult.fail("sts exchange", settings.roleArn(), Failures.describe(e), hint);
        }
    }

    static String describe(TokenClaims claims) {
        return "oid=" + claims.objectId() + " appid=" + claims.appId() + " aud=" + claims.audience()
                + " iss=" + claims.issuer() + " ver=" + claims.version();
    }
}
