package dev.skyferry.identity;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.azure.AzureBlobClients;
import dev.skyferry.store.azure.AzureBlobStore;
import java.util.Map;

/**
 * Runs in a child JVM for {@link ManagedIdentityAppServiceTest}: ManagedIdentityCredential reads
 * IDENTITY_ENDPOINT/IDENTITY_HEADER from the process environment only, so the credential has to be
 * built in a process whose real environment has them. Prints one {@code key=value} per line.
 *
 * <p>Arguments: {@code token <scope>} prints the token's claims (never the token) or the failure;
 * {@code stat <blob endpoint>} stats a blob of that endpoint's container "photos" with the credential
 * and prints the StoreException's kind.
 */
final class ManagedIdentityChild {

    private ManagedIdentityChild() {}

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        var settings = AzureAuthSettings.resolve(
                new AzureAuthSettings.Input("managed-identity", null, null, null, null, null, null, null, null, null, null), env);
        TokenCredential credential = AzureCredentials.create(settings, env);
        switch (args[0]) {
            case "token" -> printToken(credential, args[1]);
            case "stat" -> printStat(credential, args[1]);
            default -> throw new IllegalArgumentException("token <scope> or stat <blob endpoint>, was " + args[0]);
        }
        System.exit(0);
    }

    private static void printToken(TokenCredential credential, String scope) {
        try {
            String token = credential.getTokenSync(new TokenRequestContext().addScopes(scope)).getToken();
            TokenClaims claims = TokenClaims.decode(token);
            System.out.println("oid=" + claims.objectId());
            System.out.println("appid=" + claims.appId());
            System.out.println("aud=" + claims.audience());
            System.out.println("iss=" + claims.issuer());
            System.out.println("ver=" + claims.version());
        } catch (RuntimeException e) {
            System.out.println("failure=" + e.getClass().getSimpleName());
            System.out.println("transient=" + FailureClassifier.isTransient(e));
            System.out.println("message=" + e.getMessage().replace('\n', ' '));
            if (e instanceof IdentityFailure failure && failure.hint() != null) {
                System.out.println("hint=" + failure.hint());
            }
        }
    }

    private static void printStat(TokenCredential credential, String blobEndpoint) {
        AzureBlobStore store = new AzureBlobStore(AzureBlobClients.container(blobEndpoint, "photos", credential));
        try {
            store.stat("a.jpg");
            System.out.println("stat=ok");
        } catch (StoreException e) {
            System.out.println("stat=" + e.kind());
        }
    }
}
