package dev.skyferry.store.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.core.credential.TokenCredential;
import dev.skyferry.identity.AzureAuthSettings;
import dev.skyferry.identity.AzureCredentials;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Blob calls that fail for want of an Entra token: the store must keep the identity package's verdict
 * (an outage is retried, a refusal is FORBIDDEN with its hint) on the sync path too, where the storage
 * SDK drops the credential's own exception. The token is asked for before the request is sent, so the
 * blob endpoint never needs to answer.
 */
class AzureErrorsTest {

    /** Nothing listens there; https, as bearer tokens require. */
    private static final String UNREACHED_BLOB_ENDPOINT = "https://127.0.0.1:9";

    private static LocalOidcIssuer issuer;

    @BeforeAll
    static void startIssuer() {
        issuer = LocalOidcIssuer.start();
    }

    @AfterAll
    static void stopIssuer() {
        issuer.close();
    }

    private static AzureBlobStore storeWithClientSecret(String clientId, String secret) {
        Map<String, String> env = Map.of("AZURE_AUTHORITY_HOST", issuer.authorityHost().toString());
        var input = new AzureAuthSettings.Input("client-secret", issuer.tenantId(), clientId, null, null, secret,
                null, null, null, null, null);
        TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(input, env), env);
        return new AzureBlobStore(AzureBlobClients.container(UNREACHED_BLOB_ENDPOINT, "photos", credential));
    }

    @Test
    void entraUnavailableIsATransientStoreFailureOnSyncAndAsyncCalls() {
        var app = issuer.addApplication("skyferry-throttled", "s3cr3t-value");
        AzureBlobStore store = storeWithClientSecret(app.clientId(), "s3cr3t-value");
        issuer.tokensUnavailable(true);
        try {
            StoreException stat = catchThrowableOfType(StoreException.class, () -> store.stat("a.jpg"));
            StoreException open = catchThrowableOfType(StoreException.class, () -> store.open("a.jpg", null, Precondition.NONE));

            for (StoreException failure : new StoreException[] {stat, open}) {
                assertThat(failure.kind()).as(failure.getMessage()).isEqualTo(Kind.UNAVAILABLE);
                assertThat(failure.getMessage()).contains("AADSTS90033");
                assertThat(FailureClassifier.isTransient(failure)).isTrue();
            }
        } finally {
            issuer.tokensUnavailable(false);
        }
    }

    @Test
    void aRefusedCredentialIsForbiddenWithTheHintOnSyncAndAsyncCalls() {
        var app = issuer.addApplication("skyferry-refused", "right-secret");
        AzureBlobStore store = storeWithClientSecret(app.clientId(), "wrong-secret");

        StoreException stat = catchThrowableOfType(StoreException.class, () -> store.stat("a.jpg"));
        StoreException open = catchThrowableOfType(StoreException.class, () -> store.open("a.jpg", null, Precondition.NONE));

        for (StoreException failure : new StoreException[] {stat, open}) {
            assertThat(failure.kind()).as(failure.getMessage()).isEqualTo(Kind.FORBIDDEN);
            assertThat(failure.getMessage()).contains("credentials refused").contains("AADSTS7000215")
                    .contains("check azure.auth.clientSecret");
        }
    }
}
