package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.skyferry.testkit.LogCapture;
import dev.skyferry.testkit.identity.LocalFederation;
import dev.skyferry.testkit.identity.LocalSts;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class IdentitiesTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    @Test
    void eachSideFederatingFromTheOtherIsRefusedAsALoop() {
        var azure = new AzureAuthSettings.Input("aws-federated", TENANT, CLIENT, null, null, null, null, null, null, null, null);
        var aws = new AwsAuthSettings.Input("azure-federated", "arn:aws:iam::123456789012:role/x", null, "api://x", null,
                null, null, null, "eu-west-1", null, null);

        assertThat(Identities.validate(azure, aws, Map.of())).singleElement().asString()
                .startsWith("azure.auth.mode: aws-federated cannot be combined with aws.auth.mode azure-federated");
        assertThatThrownBy(() -> Identities.create(AzureAuthSettings.resolve(azure, Map.of()), AwsAuthSettings.resolve(aws, Map.of()), Map.of()))
                .isInstanceOf(IdentityConfigException.class);
    }

    @Test
    void sharedKeyHasNoEntraTokenForTheAwsSideToExchangeAndIsRefused() {
        var azure = new AzureAuthSettings.Input("shared-key", null, null, null, null, null, null, null, null, null,
                "UseDevelopmentStorage=true");
        var aws = new AwsAuthSettings.Input("azure-federated", "arn:aws:iam::123456789012:role/x", null, "api://x", null,
                null, null, null, "eu-west-1", null, null);

        assertThat(Identities.validate(azure, aws, Map.of())).singleElement().asString()
                .startsWith("aws.auth.mode: azure-federated cannot be combined with azure.auth.mode shared-key");
        assertThatThrownBy(() -> Identities.create(AzureAuthSettings.resolve(azure, Map.of()), AwsAuthSettings.resolve(aws, Map.of()), Map.of()))
                .isInstanceOf(IdentityConfigException.class);
    }

    @Test
    void emulatorOnlyModesAreWarnedAtStartWithoutTheirSecrets() {
        var azure = AzureAuthSettings.resolve(new AzureAuthSettings.Input("shared-key", null, null, null, null, null, null, null,
                null, null, "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2hoaGg="), Map.of());
        var aws = AwsAuthSettings.resolve(new AwsAuthSettings.Input("static", null, null, null, null, null, "AKIAEXAMPLE12345",
                "wJalrXUtnFEMI-secret", "us-east-1", null, null), Map.of());

        try (var logs = new LogCapture(Map.of("dev.skyferry", Level.INFO)); var identities = Identities.create(azure, aws, Map.of())) {
            assertThat(identities.azure()).isEmpty();
            assertThat(identities.azureConnectionString()).isPresent();
            assertThat(identities.aws().resolveCredentials().accessKeyId()).isEqualTo("AKIAEXAMPLE12345");
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("shared-key").contains("emulators only"));
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("static").contains("emulators only"));
            assertThat(String.join("\n", logs.lines())).doesNotContain("c2hoaGg=").doesNotContain("wJalrXUtnFEMI-secret");
        }
    }

    @Test
    void createdFromTheLocalFederationTheAwsSideExchangesTheAzureSidesToken() {
        try (var federation = LocalFederation.start(LocalSts.builder().keyPair("LOCALACCESSKEY01", "s"));
             var identities = Identities.create(AzureAuthSettings.resolve(federation.azureAuth(), federation.env()),
                     AwsAuthSettings.resolve(federation.awsAuth(), federation.env()), federation.env())) {

            assertThat(identities.aws().resolveCredentials()).isInstanceOf(AwsSessionCredentials.class);
            assertThat(identities.aws().mode()).isEqualTo(AwsAuthMode.AZURE_FEDERATED);
            assertThat(federation.sts().issuedSessions()).singleElement()
                    .satisfies(s -> assertThat(s.subject()).isEqualTo(federation.workerIdentity().objectId()));
        }
    }
}
