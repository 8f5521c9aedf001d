package dev.skyferry.identity;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.util.Map;

/**
 * Runs in a child JVM for {@link ManagedIdentityAppServiceTest}: ManagedIdentityCredential reads
 * IDENTITY_ENDPOINT/IDENTITY_HEADER from the process environment only, so the credential has to be
 * built in a process whose real environment has them. Prints the token's claims (never the token)
 * or the failure, one {@code key=value} per line.
 *
 * <p>Arguments: the scope to ask for.
 */
final class ManagedIdentityChild {

    private ManagedIdentityChild() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        var settings = AzureAuthSettings.resolve(
                new AzureAuthSettings.Input("managed-identity", null, null, null, null, null, null, null, null, null, null), env);
        TokenCredential credential = AzureCredentials.create(settings, env);
        try {
            String token = credential.getTokenSync(new TokenRequestContext().addScopes(args[0])).getToken();
            TokenClaims claims = TokenClaims.decode(token);
            System.out.println("oid=" + claims.objectId());
            System.out.println("appid=" + claims.appId());
            System.out.println("aud=" + claims.audience());
            System.out.println("iss=" + claims.issuer());
            System.out.println("ver=" + claims.version());
        } catch (RuntimeException e) {
            System.out.println("failure=" + e.getClass().getSimpleName());
            System.out.println("message=" + e.getMessage().replace('\n', ' '));
            if (e instanceof IdentityFailure failure && failure.hint() != null) {
                System.out.println("hint=" + failure.hint());
            }
        }
        System.exit(0);
    }
}
