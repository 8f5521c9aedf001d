package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.core.credential.TokenCredential;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.testkit.identity.LocalFederation;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import dev.skyferry.testkit.identity.LocalSts;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.sts.StsClient;

class AwsCredentialsTest {

    private static final AwsCredentials.Refresh QUICK_RETRIES =
            new AwsCredentials.Refresh(Duration.ofMinutes(1), Duration.ofMinutes(5), 3);

    private LocalFederation federation;

    @AfterEach
    void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    private LocalFederation start(Consumer<LocalSts.Builder> sts) {
        LocalSts.Builder builder = LocalSts.builder().keyPair("LOCALACCESSKEY01", "local-secret");
        sts.accept(builder);
        federation = LocalFederation.start(builder);
        return federation;
    }

    private TokenCredential azure() {
        return AzureCredentials.create(AzureAuthSettings.resolve(federation.azureAuth(), federation.env()), federation.env());
    }

    private AwsAuthSettings aws() {
        return AwsAuthSettings.resolve(federation.awsAuth(), federation.env());
    }

    @Test
    void azureFederatedExchangesTheEntraTokenForAssumedRoleSessionCredentials() {
        start(sts -> {});
        try (var credentials = AwsCredentials.create(aws(), azure(), QUICK_RETRIES);
             StsClient sts = AwsCredentials.stsClient(aws(), credentials)) {
            var session = (AwsSessionCredentials) credentials.resolveCredentials();

            assertThat(session.accessKeyId()).isEqualTo("LOCALACCESSKEY01");
            assertThat(federation.sts().issuedSessions()).singleElement().satisfies(issued -> {
                assertThat(issued.sessionToken()).isEqualTo(session.sessionToken());
                assertThat(issued.subject()).isEqualTo(federation.workerIdentity().objectId());
                assertThat(issued.audience()).isEqualTo(LocalFederation.AUDIENCE);
            });
            assertThat(sts.getCallerIdentity().arn())
                    .isEqualTo("arn:aws:sts::000000000000:assumed-role/" + LocalFederation.ROLE_NAME + "/skyferry");
        }
    }

    /**
     * AwsCredentials promises sessions "prefetched, not waited for": once a session is within
     * prefetchTime of its expiry, callers keep getting it while a background thread renews it. The
     * renewal is held at its Entra token request until the test has seen a caller served without it.
     */
    @Test
    void aSessionNearingExpiryIsRenewedInTheBackgroundWhileCallersKeepGettingItAtOnce() throws Exception {
        start(sts -> sts.credentialLifetime(Duration.ofSeconds(30)));
        // Prefetch 60 s ahead of 30 s sessions: each one is due for renewal as soon as it is issued.
        var renewAtOnce = new AwsCredentials.Refresh(Duration.ofSeconds(1), Duration.ofSeconds(60), 3);
        TokenCredential entra = azure();
        CountDownLatch renewalMayProceed = new CountDownLatch(1);
        AtomicInteger entraRequests = new AtomicInteger();
        TokenCredential heldAfterTheFirst = context -> Mono.fromCallable(() -> {
            if (entraRequests.incrementAndGet() > 1) {
                renewalMayProceed.await();
            }
            return entra.getTokenSync(context);
        });

        try (var credentials = AwsCredentials.create(aws(), heldAfterTheFirst, renewAtOnce)) {
            var first = (AwsSessionCredentials) credentials.resolveCredentials();

            var meanwhile = (AwsSessionCredentials) CompletableFuture.supplyAsync(credentials::resolveCredentials)
                    .get(5, TimeUnit.SECONDS);
            assertThat(meanwhile.sessionToken()).isEqualTo(first.sessionToken());
            await().atMost(Duration.ofSeconds(5)).until(() -> entraRequests.get() == 2); // the renewal has started

            renewalMayProceed.countDown();
            // Every call starts another renewal here (each session is born due), so look for any renewed one.
            String renewed = await().atMost(Duration.ofSeconds(10)).until(
                    () -> ((AwsSessionCredentials) credentials.resolveCredentials()).sessionToken(),
                    token -> !token.equals(first.sessionToken()));
            assertThat(federation.sts().issuedSessions()).extracting(LocalSts.Session::sessionToken).contains(renewed);
        } finally {
            renewalMayProceed.countDown();
        }
    }

    @Test
    void audienceMissingFromTheOidcProviderIsRejectedWithTheAudienceHint() {
        start(sts -> {});
        federation.sts().addOidcProvider(federation.issuer().v1Issuer(), "api://some-other-app");

        assertRejected(rejected -> {
            assertThat(rejected).hasMessageContaining("Incorrect token audience");
            assertThat(rejected.hint()).contains("audience mismatch").contains(LocalFederation.AUDIENCE);
        });
    }

    @Test
    void oidcProviderRegisteredWithoutTheTrailingSlashIsRejectedWithTheSlashHint() {
        start(sts -> {});
        String slashless = federation.issuer().v1Issuer().replaceAll("/$", "");
        try (LocalSts iamWithSlashlessProvider = LocalSts.builder().keyPair("LOCALACCESSKEY01", "local-secret").start()) {
            iamWithSlashlessProvider.addOidcProvider(slashless, LocalFederation.AUDIENCE);
            String roleArn = iamWithSlashlessProvider.addWebIdentityRole("skyferry", slashless, LocalFederation.AUDIENCE,
                    federation.workerIdentity().objectId());
            var settings = AwsAuthSettings.resolve(new AwsAuthSettings.Input("azure-federated", roleArn, null,
                    LocalFederation.AUDIENCE, 900, null, null, null, "us-east-1", null,
                    iamWithSlashlessProvider.endpoint().toString()), federation.env());

            try (var credentials = AwsCredentials.create(settings, azure(), QUICK_RETRIES)) {
                assertThatThrownBy(credentials::resolveCredentials)
                        .isInstanceOf(IdentityRejectedException.class)
                        .hasMessageContaining("No OpenIDConnect provider found in your account for " + federation.issuer().v1Issuer())
                        .satisfies(e -> assertThat(((IdentityFailure) e).hint()).contains("trailing slash"));
            }
            assertThat(iamWithSlashlessProvider.issuedSessions()).isEmpty();
        }
    }

    @Test
    void theSameSlashlessProviderMatchesWhenTheTrailingSlashRuleIsRelaxed() {
        start(sts -> {});
        String slashless = federation.issuer().v1Issuer().replaceAll("/$", "");
        try (LocalSts lenient = LocalSts.builder().keyPair("LOCALACCESSKEY01", "local-secret")
                .ignoreIssuerTrailingSlash(true).start()) {
            lenient.addOidcProvider(slashless, LocalFederation.AUDIENCE);
            String roleArn = lenient.addWebIdentityRole("skyferry", slashless, LocalFederation.AUDIENCE,
                    federation.workerIdentity().objectId());
            var settings = AwsAuthSettings.resolve(new AwsAuthSettings.Input("azure-federated", roleArn, null,
                    LocalFederation.AUDIENCE, 900, null, null, null, "us-east-1", null, lenient.endpoint().toString()), federation.env());

            try (var credentials = AwsCredentials.create(settings, azure(), QUICK_RETRIES)) {
                assertThat(credentials.resolveCredentials()).isInstanceOf(AwsSessionCredentials.class);
            }
        }
    }

    @Test
    void v2TokensFromAccessTokenAcceptedVersion2AreRejectedWithTheManifestHint() {
        start(sts -> {});
        federation.federationApi().acceptedTokenVersion(2);

        assertRejected(rejected -> {
            assertThat(rejected).hasMessageContaining("No OpenIDConnect provider found").hasMessageContaining("/v2.0");
            assertThat(rejected.hint()).contains("accessTokenAcceptedVersion");
        });
    }

    @Test
    void trustPolicyForAnotherSubjectIsAccessDeniedWithTheTrustPolicyHint() {
        start(sts -> {});
        String otherRole = federation.sts().addWebIdentityRole("other", federation.issuer().v1Issuer(),
                LocalFederation.AUDIENCE, "00000000-0000-0000-0000-000000000000");
        var settings = AwsAuthSettings.resolve(new AwsAuthSettings.Input("azure-federated", otherRole, null,
                LocalFederation.AUDIENCE, 900, null, null, null, "us-east-1", null, federation.sts().endpoint().toString()), federation.env());

        try (var credentials = AwsCredentials.create(settings, azure(), QUICK_RETRIES)) {
            assertThatThrownBy(credentials::resolveCredentials)
                    .isInstanceOf(IdentityRejectedException.class)
                    .hasMessageContaining("Not authorized to perform sts:AssumeRoleWithWebIdentity")
                    .satisfies(e -> assertThat(((IdentityFailure) e).hint())
                            .contains(":sub' = '" + federation.workerIdentity().objectId() + "'")
                            .contains(":aud' = '" + LocalFederation.AUDIENCE + "'"));
        }
    }

    @Test
    void entraTokenExpiredByTheTimeStsChecksItIsRejectedWithTheClockHint() {
        start(sts -> sts.clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(3))));

        assertRejected(rejected -> {
            assertThat(rejected).hasMessageContaining("Token expired");
            assertThat(rejected.hint()).contains("the Entra token had expired").contains("clock");
        });
    }

    @Test
    void issuerKeysUnreachableFromStsFailTheExchangeTransientlyAndItRecovers() {
        start(sts -> {});
        federation.issuer().keysUnavailable(true);

        try (var credentials = AwsCredentials.create(aws(), azure(), QUICK_RETRIES)) {
            assertThatThrownBy(credentials::resolveCredentials)
                    .isInstanceOf(IdentityUnavailableException.class)
                    .hasMessageContaining("identity provider")
                    .satisfies(e -> {
                        assertThat(((IdentityFailure) e).side()).isEqualTo(IdentityFailure.Side.AWS);
                        assertThat(FailureClassifier.isTransient(e)).isTrue();
                    });
            // The STS client itself retried IDPCommunicationError before giving up.
            assertThat(federation.sts().assumeRoleWithWebIdentityCalls()).isEqualTo(QUICK_RETRIES.stsMaxAttempts());

            federation.issuer().keysUnavailable(false);
            assertThat(credentials.resolveCredentials()).isInstanceOf(AwsSessionCredentials.class);
        }
    }

    /**
     * STS fetched the issuer's keys but found none for the token (a key rollover it does not see yet):
     * InvalidIdentityToken "Couldn't retrieve verification key", which is transient, unlike the other
     * InvalidIdentityToken answers.
     */
    @Test
    void aVerificationKeyStsCannotRetrieveFailsTheExchangeTransientlyAfterRetriesAndItRecovers() {
        start(sts -> {});
        federation.issuer().signingKeyWithheld(true);

        try (var credentials = AwsCredentials.create(aws(), azure(), QUICK_RETRIES)) {
            assertThatThrownBy(credentials::resolveCredentials)
                    .isInstanceOf(IdentityUnavailableException.class)
                    .hasMessageContaining("Couldn't retrieve verification key")
                    .satisfies(e -> {
                        assertThat(((IdentityFailure) e).side()).isEqualTo(IdentityFailure.Side.AWS);
                        assertThat(FailureClassifier.isTransient(e)).isTrue();
                    });
            // The STS client retried it itself before giving up: the SDK's own policy would not.
            assertThat(federation.sts().assumeRoleWithWebIdentityCalls()).isEqualTo(QUICK_RETRIES.stsMaxAttempts());

            federation.issuer().signingKeyWithheld(false);
            assertThat(credentials.resolveCredentials()).isInstanceOf(AwsSessionCredentials.class);
        }
    }

    @Test
    void entraOutageIsTransientOnTheAzureSideAndRecoversWhenTheIssuerReturns() {
        start(sts -> {});
        federation.issuer().stop();

        try (var credentials = AwsCredentials.create(aws(), azure(), QUICK_RETRIES)) {
            assertThatThrownBy(credentials::resolveCredentials)
                    .isInstanceOf(IdentityUnavailableException.class)
                    .satisfies(e -> {
                        assertThat(((IdentityFailure) e).side()).isEqualTo(IdentityFailure.Side.AZURE);
                        assertThat(FailureClassifier.isTransient(e)).isTrue();
                    });
            federation.issuer().restart();
            assertThat(credentials.resolveCredentials()).isInstanceOf(AwsSessionCredentials.class);
        }
        assertThat(federation.sts().issuedSessions()).hasSize(1);
    }

    private static final String SERVICE_ACCOUNT_SUBJECT =
            "system:serviceaccount:" + LocalFederation.NAMESPACE + ":" + LocalFederation.SERVICE_ACCOUNT;

    /**
     * web-identity-file settings for a role trusting the projected service-account token (issued by the
     * cluster's issuer for {@code providerAudience}, the only client ID of the IAM OIDC provider).
     */
    private AwsAuthSettings webIdentityFile(String providerAudience) {
        federation.sts().addOidcProvider(federation.issuer().serviceAccountIssuer(), providerAudience);
        String roleArn = federation.sts().addWebIdentityRole("projected", federation.issuer().serviceAccountIssuer(),
                providerAudience, SERVICE_ACCOUNT_SUBJECT);
        return AwsAuthSettings.resolve(new AwsAuthSettings.Input("web-identity-file", roleArn, "skyferry-pod", null,
                900, federation.tokenFile().toString(), null, null, LocalFederation.REGION, "aws",
                federation.sts().endpoint().toString()), Map.of());
    }

    @Test
    void webIdentityFileAssumesTheConfiguredRoleWithTheProjectedToken() {
        start(sts -> {});
        var settings = webIdentityFile(LocalOidcIssuer.TOKEN_EXCHANGE_AUDIENCE);

        try (var credentials = AwsCredentials.create(settings, null, QUICK_RETRIES);
             StsClient sts = AwsCredentials.stsClient(settings, credentials)) {
            var session = (AwsSessionCredentials) credentials.resolveCredentials();

            assertThat(federation.sts().issuedSessions()).singleElement().satisfies(issued -> {
                assertThat(issued.sessionToken()).isEqualTo(session.sessionToken());
                assertThat(issued.roleArn()).isEqualTo(settings.roleArn());
                assertThat(issued.subject()).isEqualTo(SERVICE_ACCOUNT_SUBJECT);
            });
            assertThat(sts.getCallerIdentity().arn()).isEqualTo("arn:aws:sts::000000000000:assumed-role/projected/skyferry-pod");
        }
    }

    @Test
    void webIdentityFileTokenExpiredByTheTimeStsChecksItIsRejectedWithTheProjectedTokenHintNotTheEntraOne() {
        start(sts -> sts.clock(Clock.offset(Clock.systemUTC(), Duration.ofHours(3))));

        assertFileTokenRejected(webIdentityFile(LocalOidcIssuer.TOKEN_EXCHANGE_AUDIENCE), rejected -> {
            assertThat(rejected).hasMessageContaining("Token expired");
            assertThat(rejected.hint()).contains("aws.auth.webIdentityTokenFile had expired").contains("kubelet")
                    .contains("clock").doesNotContain("Entra");
        });
    }

    @Test
    void webIdentityFileTokenForAnotherAudienceIsRejectedWithItsOwnAudienceAndNoEntraAdvice() {
        start(sts -> {});

        assertFileTokenRejected(webIdentityFile("sts.amazonaws.com"), rejected -> {
            assertThat(rejected).hasMessageContaining("Incorrect token audience");
            assertThat(rejected.hint()).contains("audience mismatch")
                    .contains("aud is '" + LocalOidcIssuer.TOKEN_EXCHANGE_AUDIENCE + "'")
                    .contains("project the token with an audience the provider lists").doesNotContain("Entra");
        });
    }

    private void assertFileTokenRejected(AwsAuthSettings settings, Consumer<IdentityRejectedException> check) {
        try (var credentials = AwsCredentials.create(settings, null, QUICK_RETRIES)) {
            assertThatThrownBy(credentials::resolveCredentials).isInstanceOfSatisfying(IdentityRejectedException.class, check);
        }
        assertThat(federation.sts().issuedSessions()).isEmpty();
    }

    private void assertRejected(Consumer<IdentityRejectedException> check) {
        try (var credentials = AwsCredentials.create(aws(), azure(), QUICK_RETRIES)) {
            assertThatThrownBy(credentials::resolveCredentials)
                    .isInstanceOfSatisfying(IdentityRejectedException.class, e -> {
                        check.accept(e);
                        assertThat(FailureClassifier.isTransient(e)).isFalse();
                    });
        }
        assertThat(federation.sts().issuedSessions()).isEmpty();
    }
}
