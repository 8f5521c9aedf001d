package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import dev.skyferry.testkit.identity.LocalSts;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The reverse direction: a worker on AWS gets its Entra token with an AWS-issued token as the client
 * assertion of an Entra app — from STS GetWebIdentityToken (IAM outbound identity federation) or from
 * an EKS projected service-account token.
 */
class AwsFederatedAzureCredentialTest {

    private static final String WORKER_ROLE = "arn:aws:iam::000000000000:role/skyferry-worker";
    private static final String STORAGE_SCOPE = "https://storage.azure.com/.default";

    @TempDir
    Path dir;

    private LocalOidcIssuer issuer;
    private LocalSts sts;
    private LocalOidcIssuer.Principal app;

    @BeforeEach
    void start() {
        issuer = LocalOidcIssuer.start();
        sts = LocalSts.builder().keyPair("WORKERACCESSKEY1", "worker-secret").start().basePrincipal(WORKER_ROLE);
        app = issuer.addApplication("skyferry-on-aws", null);
    }

    @AfterEach
    void stop() {
        sts.close();
        issuer.close();
    }

    private AzureAuthSettings settings(String source, Path tokenFile) {
        return AzureAuthSettings.resolve(new AzureAuthSettings.Input("aws-federated", issuer.tenantId(), app.clientId(),
                issuer.authorityHost().toString(), null, null, null, null, source,
                tokenFile == null ? null : tokenFile.toString(), null), Map.of());
    }

    /** The worker's own AWS identity signs GetWebIdentityToken, on the regional (here: local) endpoint. */
    private StsClient workerSts() {
        var aws = AwsAuthSettings.resolve(new AwsAuthSettings.Input("default", null, null, null, null, null, null, null,
                "eu-west-1", null, sts.endpoint().toString()), Map.of());
        return AwsCredentials.stsClient(aws, StaticCredentialsProvider.create(AwsBasicCredentials.create("WORKERACCESSKEY1", "worker-secret")));
    }

    private static TokenClaims claims(TokenCredential credential) {
        return TokenClaims.decode(credential.getTokenSync(new TokenRequestContext().addScopes(STORAGE_SCOPE)).getToken());
    }

    @Test
    void stsWebIdentityTokenForTheWorkerRoleIsAcceptedAsTheAppsFederatedCredential() {
        issuer.addFederatedCredential(app, sts.outboundIssuer(), WORKER_ROLE);
        try (StsClient workerSts = workerSts()) {
            TokenCredential credential = AzureCredentials.create(settings("sts", null), Map.of(), workerSts);

            TokenClaims claims = claims(credential);

            assertThat(claims.appId()).isEqualTo(app.clientId());
            assertThat(claims.objectId()).isEqualTo(app.objectId());
            assertThat(claims.audience()).isEqualTo("https://storage.azure.com");
        }
    }

    /** Retried: 700213 is also what a just-created federated credential answers until it has propagated. */
    @Test
    void aFederatedCredentialForAnotherRoleIsRetriedWithTheSubjectHint() {
        issuer.addFederatedCredential(app, sts.outboundIssuer(), "arn:aws:iam::000000000000:role/someone-else");
        try (StsClient workerSts = workerSts()) {
            TokenCredential credential = AzureCredentials.create(settings("sts", null), Map.of(), workerSts);

            assertThatThrownBy(() -> claims(credential))
                    .isInstanceOf(IdentityUnavailableException.class)
                    .hasMessageContaining("AADSTS700213")
                    .hasMessageContaining(WORKER_ROLE);
        }
    }

    @Test
    void outboundFederationSwitchedOffIsRejectedWithTheEnableHint() {
        issuer.addFederatedCredential(app, sts.outboundIssuer(), WORKER_ROLE);
        sts.outboundFederation(false);
        try (StsClient workerSts = workerSts()) {
            TokenCredential credential = AzureCredentials.create(settings("sts", null), Map.of(), workerSts);

            assertThatThrownBy(() -> claims(credential))
                    .isInstanceOfSatisfying(IdentityRejectedException.class, e -> {
                        assertThat(e.side()).isEqualTo(IdentityFailure.Side.AWS);
                        assertThat(e.hint()).contains("enable-outbound-web-identity-federation");
                    });
        }
    }

    @Test
    void eksProjectedTokenFileIsReadForEachExchange() {
        issuer.addFederatedCredential(app, issuer.serviceAccountIssuer(), "system:serviceaccount:skyferry:worker");
        Path tokenFile = issuer.writeServiceAccountToken(dir.resolve("token"), "skyferry", "worker");

        TokenCredential credential = AzureCredentials.create(settings("file", tokenFile), Map.of());

        assertThat(claims(credential).appId()).isEqualTo(app.clientId());
    }

    @Test
    void stsSourceWithoutAnStsClientIsAProgrammingErrorNamedAtCreation() {
        assertThatThrownBy(() -> AzureCredentials.create(settings("sts", null), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AzureCredentials.create(settings, env, stsClient)");
    }
}
