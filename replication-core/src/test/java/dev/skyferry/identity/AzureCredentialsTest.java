package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import no.nav.security.mock.oauth2.http.SslKeystore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureCredentialsTest {

    private static final String AUDIENCE = "api://skyferry-aws-federation";
    private static final String SCOPE = AUDIENCE + "/.default";
    private static LocalOidcIssuer issuer;

    @BeforeAll
    static void startIssuer() {
        issuer = LocalOidcIssuer.start();
    }

    @AfterAll
    static void stopIssuer() {
        issuer.close();
    }

    @TempDir
    Path dir;

    /**
     * The environment of the worker's pod, whose service account {@code identity} trusts through a federated
     * credential, with the API the tests ask tokens for exposed.
     */
    private Map<String, String> workerPodTrustedBy(LocalOidcIssuer.Principal identity) {
        issuer.addFederatedCredential(identity, issuer.serviceAccountIssuer(), "system:serviceaccount:skyferry:worker");
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);
        return workloadEnv(identity, issuer.writeServiceAccountToken(dir.resolve("azure-identity-token"), "skyferry", "worker"));
    }

    private Map<String, String> workloadEnv(LocalOidcIssuer.Principal identity, Path tokenFile) {
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_TENANT_ID", issuer.tenantId());
        env.put("AZURE_CLIENT_ID", identity.clientId());
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", issuer.authorityHost().toString());
        return env;
    }

    private static AzureAuthSettings.Input mode(String mode) {
        return new AzureAuthSettings.Input(mode, null, null, null, null, null, null, null, null, null, null);
    }

    private static TokenClaims tokenClaims(TokenCredential credential, String scope) {
        return TokenClaims.decode(credential.getTokenSync(new TokenRequestContext().addScopes(scope)).getToken());
    }

    @Test
    void workloadIdentityExchangesTheProjectedServiceAccountTokenForAV1EntraToken() {
        var identity = issuer.addManagedIdentity("skyferry-worker");
        Map<String, String> env = workerPodTrustedBy(identity);

        TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(mode("workload-identity"), env), env);
        TokenClaims claims = tokenClaims(credential, SCOPE);

        assertThat(claims.issuer()).isEqualTo(issuer.v1Issuer()).endsWith("/");
        assertThat(claims.audience()).isEqualTo(AUDIENCE);
        assertThat(claims.objectId()).isEqualTo(identity.objectId());
        assertThat(claims.subject()).isEqualTo(identity.objectId());
        assertThat(claims.appId()).isEqualTo(identity.clientId());
        assertThat(claims.version()).isEqualTo("1.0");
    }

    /**
     * Mode default is DefaultAzureCredential, reading the AZURE_* variables the workload identity webhook
     * sets; its workload identity link answers before the managed identity and developer-tool links.
     */
    @Test
    void defaultModeGetsItsTokenThroughTheWorkloadIdentityEnvironment() {
        var identity = issuer.addManagedIdentity("skyferry-worker");
        Map<String, String> env = workerPodTrustedBy(identity);

        TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(mode("default"), env), env);
        TokenClaims claims = tokenClaims(credential, SCOPE);

        assertThat(claims.issuer()).isEqualTo(issuer.v1Issuer());
        assertThat(claims.audience()).isEqualTo(AUDIENCE);
        assertThat(claims.appId()).isEqualTo(identity.clientId());
        assertThat(claims.objectId()).isEqualTo(identity.objectId());
    }

    /** 700213 is also what a just-created federated credential answers until it has propagated (docs/identity.md). */
    @Test
    void workloadIdentityWithAFederatedCredentialForAnotherSubjectIsRetriedWithAHint() {
        var identity = issuer.addManagedIdentity("skyferry-worker");
        issuer.addFederatedCredential(identity, issuer.serviceAccountIssuer(), "system:serviceaccount:skyferry:other");
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);
        Path tokenFile = issuer.writeServiceAccountToken(dir.resolve("token"), "skyferry", "worker");
        Map<String, String> env = workloadEnv(identity, tokenFile);
        TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(mode("workload-identity"), env), env);

        assertThatThrownBy(() -> tokenClaims(credential, SCOPE))
                .isInstanceOf(IdentityUnavailableException.class)
                .hasMessageContaining("AADSTS700213")
                .satisfies(e -> {
                    assertThat(((IdentityFailure) e).hint()).contains("federated identity credential").contains("propagate");
                    assertThat(FailureClassifier.isTransient(e)).isTrue();
                });
    }

    /** Entra needs a while to show a new app role assignment (docs/identity.md), so until then this is retried. */
    @Test
    void missingAppRoleAssignmentIsRetriedAsAadsts501051WithTheAssignmentHint() {
        var identity = issuer.addManagedIdentity("skyferry-worker");
        issuer.addFederatedCredential(identity, issuer.serviceAccountIssuer(), "system:serviceaccount:skyferry:worker");
        var api = issuer.exposeApi("skyferry-aws-federation", "api://skyferry-assigned").assignmentRequired(true);
        Path tokenFile = issuer.writeServiceAccountToken(dir.resolve("token"), "skyferry", "worker");
        Map<String, String> env = workloadEnv(identity, tokenFile);
        TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(mode("workload-identity"), env), env);

        assertThatThrownBy(() -> tokenClaims(credential, "api://skyferry-assigned/.default"))
                .isInstanceOf(IdentityUnavailableException.class)
                .hasMessageContaining("AADSTS501051")
                .satisfies(e -> assertThat(((IdentityFailure) e).hint()).contains("app role").contains("api://skyferry-assigned"));

        api.assign(identity);
        // A new credential: the SDK caches per instance, and Entra caches too (a new assignment shows late).
        TokenCredential fresh = AzureCredentials.create(AzureAuthSettings.resolve(mode("workload-identity"), env), env);
        assertThat(tokenClaims(fresh, "api://skyferry-assigned/.default").claims()).containsKey("roles");
    }

    @Test
    void clientSecretModeAuthenticatesTheAppRegistration() {
        var app = issuer.addApplication("skyferry-app", "s3cr3t-value");
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);
        Map<String, String> env = Map.of("AZURE_AUTHORITY_HOST", issuer.authorityHost().toString());
        var input = new AzureAuthSettings.Input("client-secret", issuer.tenantId(), app.clientId(), null, null,
                "s3cr3t-value", null, null, null, null, null);

        TokenClaims claims = tokenClaims(AzureCredentials.create(AzureAuthSettings.resolve(input, env), env), SCOPE);

        assertThat(claims.appId()).isEqualTo(app.clientId());
        assertThat(claims.objectId()).isEqualTo(app.objectId());
    }

    /** A fresh self-signed key and certificate, written as the password-protected PFX the worker reads. */
    private static X509Certificate writePfx(Path pfx, String password) throws Exception {
        SslKeystore generated = new SslKeystore();
        KeyStore keys = generated.getKeyStore();
        String alias = keys.aliases().nextElement();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(alias, keys.getKey(alias, generated.getKeyPassword().toCharArray()), password.toCharArray(),
                keys.getCertificateChain(alias));
        try (OutputStream out = Files.newOutputStream(pfx)) {
            store.store(out, password.toCharArray());
        }
        return (X509Certificate) keys.getCertificate(alias);
    }

    private TokenCredential clientCertificateCredential(LocalOidcIssuer.Principal app, Path pfx) {
        Map<String, String> env = Map.of("AZURE_AUTHORITY_HOST", issuer.authorityHost().toString());
        var input = new AzureAuthSettings.Input("client-certificate", issuer.tenantId(), app.clientId(), null, null,
                null, pfx.toString(), "pfx-password", null, null, null);
        return AzureCredentials.create(AzureAuthSettings.resolve(input, env), env);
    }

    @Test
    void clientCertificateModeSignsAnAssertionTheAppRegistrationsCertificateVerifies() throws Exception {
        Path pfx = dir.resolve("skyferry-app.pfx");
        var app = issuer.addApplicationWithCertificate("skyferry-app", writePfx(pfx, "pfx-password"));
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);

        TokenClaims claims = tokenClaims(clientCertificateCredential(app, pfx), SCOPE);

        assertThat(claims.appId()).isEqualTo(app.clientId());
        assertThat(claims.objectId()).isEqualTo(app.objectId());
    }

    @Test
    void aCertificateTheAppRegistrationDoesNotHoldIsRejected() throws Exception {
        Path pfx = dir.resolve("other.pfx");
        writePfx(pfx, "pfx-password");
        var app = issuer.addApplicationWithCertificate("skyferry-app", writePfx(dir.resolve("registered.pfx"), "x"));
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);

        assertThatThrownBy(() -> tokenClaims(clientCertificateCredential(app, pfx), SCOPE))
                .isInstanceOf(IdentityRejectedException.class)
                .hasMessageContaining("AADSTS700027");
    }

    @Test
    void wrongClientSecretIsRejectedWithoutEchoingTheSecret() {
        var app = issuer.addApplication("skyferry-app", "right-secret");
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);
        Map<String, String> env = Map.of("AZURE_AUTHORITY_HOST", issuer.authorityHost().toString());
        var input = new AzureAuthSettings.Input("client-secret", issuer.tenantId(), app.clientId(), null, null,
                "wrong-secret-value", null, null, null, null, null);
        TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(input, env), env);

        assertThatThrownBy(() -> tokenClaims(credential, SCOPE))
                .isInstanceOf(IdentityRejectedException.class)
                .hasMessageContaining("AADSTS7000215")
                .hasMessageNotContaining("wrong-secret-value");
    }
}
