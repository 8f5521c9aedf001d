package dev.skyferry.identity.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.TokenCredential;
import dev.skyferry.identity.AwsAuthSettings;
import dev.skyferry.identity.AwsCredentials;
import dev.skyferry.identity.AzureAuthSettings;
import dev.skyferry.identity.AzureCredentials;
import dev.skyferry.identity.TokenClaims;
import dev.skyferry.testkit.identity.LocalFederation;
import dev.skyferry.testkit.identity.LocalSts;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sts.StsClient;

class IdentityCheckTest {

    private LocalFederation federation;

    @BeforeEach
    void start() {
        federation = LocalFederation.start(LocalSts.builder().keyPair("LOCALACCESSKEY01", "local-secret"));
    }

    @AfterEach
    void stop() {
        federation.close();
    }

    private TokenCredential azure() {
        return AzureCredentials.create(AzureAuthSettings.resolve(federation.azureAuth(), federation.env()), federation.env());
    }

    private AwsAuthSettings aws() {
        return AwsAuthSettings.resolve(federation.awsAuth(), federation.env());
    }

    @Test
    void entraTokenRowNamesTheIdentityFromTheClaimsAndNeverShowsTheToken() {
        var identity = IdentityCheck.entraToken(azure(), LocalFederation.AUDIENCE + "/.default");

        assertThat(identity.result().status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(identity.result().detail()).isEqualTo("oid=" + federation.workerIdentity().objectId()
                + " appid=" + federation.workerIdentity().clientId() + " aud=" + LocalFederation.AUDIENCE
                + " iss=" + federation.issuer().v1Issuer() + " ver=1.0");
        String token = federation.issuer().issuedTokens().getLast();
        assertThat(identity.result().toString()).doesNotContain(token).doesNotContain(token.split("\\.")[2]);
    }

    @Test
    void federationPassesAndSpellsOutWhatIamMustTrust() {
        try (var credentials = AwsCredentials.create(aws(), azure())) {
            List<CheckResult> rows = IdentityCheck.federation(aws(), azure(), credentials);

            assertThat(rows).extracting(CheckResult::check).containsExactly("entra token", "token for aws", "sts exchange");
            assertThat(rows).allSatisfy(row -> assertThat(row.status()).isEqualTo(CheckResult.Status.PASS));
            String provider = federation.issuer().v1Issuer().replaceFirst("^https://", "");
            assertThat(rows.get(1).detail()).contains("OIDC provider " + federation.issuer().v1Issuer() + " (trailing slash included)")
                    .contains(provider + ":sub = " + federation.workerIdentity().objectId());
            assertThat(rows.get(2).detail()).startsWith("session credentials until ");
        }
    }

    @Test
    void v2TokensFailTheShapeCheckAndTheExchangeWithTheManifestHint() {
        federation.federationApi().acceptedTokenVersion(2);
        try (var credentials = AwsCredentials.create(aws(), azure())) {
            List<CheckResult> rows = IdentityCheck.federation(aws(), azure(), credentials);

            assertThat(rows.get(0).status()).isEqualTo(CheckResult.Status.PASS);
            assertThat(rows.get(0).detail()).contains("ver=2.0");
            assertThat(rows.get(1).failed()).isTrue();
            assertThat(rows.get(1).hint()).contains("accessTokenAcceptedVersion");
            assertThat(rows.get(2).failed()).isTrue();
            assertThat(rows.get(2).hint()).contains("accessTokenAcceptedVersion");
        }
    }

    @Test
    void missingAppRoleAssignmentFailsTheTokenRowWithAadsts501051Hint() {
        federation.federationApi().unassign(federation.workerIdentity());
        try (var credentials = AwsCredentials.create(aws(), azure())) {
            List<CheckResult> rows = IdentityCheck.federation(aws(), azure(), credentials);

            assertThat(rows).extracting(CheckResult::check).containsExactly("entra token", "sts exchange");
            assertThat(rows.get(0).detail()).contains("AADSTS501051");
            assertThat(rows.get(0).hint()).contains("app role");
            assertThat(rows.get(1).failed()).isTrue();
        }
    }

    @Test
    void awsIdentityRowNamesTheAssumedRole() {
        try (var credentials = AwsCredentials.create(aws(), azure()); StsClient sts = AwsCredentials.stsClient(aws(), credentials)) {
            CheckResult row = IdentityCheck.awsCallerIdentity(sts);

            assertThat(row.status()).isEqualTo(CheckResult.Status.PASS);
            assertThat(row.detail()).isEqualTo("arn:aws:sts::000000000000:assumed-role/skyferry/skyferry (account 000000000000)");
        }
    }

    @Test
    void claimsDecodeFromThePayloadAloneAndGarbageIsRefusedWithoutEchoingIt() {
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"aud\":\"api://x\",\"iss\":\"https://login.microsoftonline.com/t/v2.0\",\"azp\":\"app\",\"ver\":\"2.0\",\"oid\":\"o\"}"
                        .getBytes(StandardCharsets.UTF_8));
        TokenClaims claims = TokenClaims.decode("e30." + payload + ".c2ln");

        assertThat(claims.appId()).isEqualTo("app");
        assertThat(claims.isEntraV2()).isTrue();
        assertThat(claims.claims()).containsEntry("oid", "o");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenClaims.decode("secret-looking-value"))
                .hasMessageNotContaining("secret-looking-value");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenClaims.decode("a.!!!.c"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("!!!");
    }

    @Test
    void federationRefusesToRunForOtherModes() {
        var settings = AwsAuthSettings.resolve(new AwsAuthSettings.Input("default", null, null, null, null, null, null, null,
                null, null, null), Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IdentityCheck.federation(settings, azure(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
