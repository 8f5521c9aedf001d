package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.TokenCredential;
import dev.skyferry.testkit.identity.LocalFederation;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import dev.skyferry.testkit.identity.LocalSts;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** What the web-identity exchange asks of STS: the rotated token once the first expired, the configured session duration. */
class WebIdentityStsExchangeTest {

    private LocalFederation federation;

    @AfterEach
    void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    /** AwsCredentials: web-identity-file reads "its token ... from the file at every refresh (the kubelet rotates it)". */
    @Test
    void webIdentityFileExchangesTheRotatedTokenOnceTheFirstHasExpired() throws Exception {
        federation = LocalFederation.start(LocalSts.builder().keyPair("LOCALACCESSKEY01", "local-secret")
                .credentialLifetime(Duration.ofSeconds(8)));
        String subject = "system:serviceaccount:" + LocalFederation.NAMESPACE + ":" + LocalFederation.SERVICE_ACCOUNT;
        federation.sts().addOidcProvider(federation.issuer().serviceAccountIssuer(), LocalOidcIssuer.TOKEN_EXCHANGE_AUDIENCE);
        String roleArn = federation.sts().addWebIdentityRole("projected", federation.issuer().serviceAccountIssuer(),
                LocalOidcIssuer.TOKEN_EXCHANGE_AUDIENCE, subject);
        // The first projected token lives 3 s; the kubelet writes a fresh one before the session needs renewing.
        Files.writeString(federation.tokenFile(), federation.issuer().serviceAccountToken(
                LocalFederation.NAMESPACE, LocalFederation.SERVICE_ACCOUNT, Duration.ofSeconds(3)));
        var settings = AwsAuthSettings.resolve(new AwsAuthSettings.Input("web-identity-file", roleArn, "skyferry-pod", null,
                900, federation.tokenFile().toString(), null, null, LocalFederation.REGION, "aws",
                federation.sts().endpoint().toString()), Map.of());

        try (var credentials = AwsCredentials.create(settings, null,
                new AwsCredentials.Refresh(Duration.ofSeconds(2), Duration.ofSeconds(4), 1))) {
            credentials.resolveCredentials();
            Thread.sleep(3_500); // the first token has expired
            Files.writeString(federation.tokenFile(), federation.issuer().serviceAccountToken(
                    LocalFederation.NAMESPACE, LocalFederation.SERVICE_ACCOUNT, Duration.ofMinutes(10)));
            Thread.sleep(4_000); // into the stale window: the next resolve needs a new session

            var session = (AwsSessionCredentials) credentials.resolveCredentials();

            assertThat(federation.sts().issuedSessions()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(federation.sts().sessionValidAt(session.sessionToken(), Instant.now())).isTrue();
        }
    }

    /** aws.auth.sessionDurationSeconds: the session lasts what the configuration asks for. */
    @Test
    void theConfiguredSessionDurationIsAskedOfSts() {
        federation = LocalFederation.start(LocalSts.builder().keyPair("LOCALACCESSKEY01", "local-secret"));
        TokenCredential azure = AzureCredentials.create(AzureAuthSettings.resolve(federation.azureAuth(), federation.env()),
                federation.env());
        AwsAuthSettings.Input input = federation.awsAuth();
        var settings = AwsAuthSettings.resolve(new AwsAuthSettings.Input(input.mode(), input.roleArn(),
                input.roleSessionName(), input.audience(), 1200, input.webIdentityTokenFile(), null, null,
                input.region(), input.partition(), input.stsEndpoint()), federation.env());

        try (var credentials = AwsCredentials.create(settings, azure)) {
            credentials.resolveCredentials();
            Instant expires = federation.sts().issuedSessions().getFirst().expiresAt();
            assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofSeconds(1100), Duration.ofSeconds(1200));
        }
    }
}
