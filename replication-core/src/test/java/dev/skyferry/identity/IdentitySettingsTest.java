package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentitySettingsTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    @TempDir
    Path dir;

    private static AzureAuthSettings.Input azure(String mode) {
        return new AzureAuthSettings.Input(mode, null, null, null, null, null, null, null, null, null, null);
    }

    private static AwsAuthSettings.Input aws(String mode, String roleArn, String audience, Integer duration, String region) {
        return new AwsAuthSettings.Input(mode, roleArn, null, audience, duration, null, null, null, region, null, null);
    }

    @Test
    void workloadIdentityTakesEverythingFromTheWebhookEnvironment() throws IOException {
        Path token = Files.writeString(dir.resolve("azure-identity-token"), "x");
        var settings = AzureAuthSettings.resolve(azure("workload-identity"), Map.of(
                "AZURE_TENANT_ID", TENANT, "AZURE_CLIENT_ID", CLIENT,
                "AZURE_FEDERATED_TOKEN_FILE", token.toString(), "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"));

        assertThat(settings.mode()).isEqualTo(AzureAuthMode.WORKLOAD_IDENTITY);
        assertThat(settings.tenantId()).isEqualTo(TENANT);
        assertThat(settings.clientId()).isEqualTo(CLIENT);
        assertThat(settings.federatedTokenFile()).isEqualTo(token);
        assertThat(settings.authorityHost()).isEqualTo(URI.create("https://login.microsoftonline.us/"));
    }

    @Test
    void configuredValuesWinOverTheEnvironmentAndThePublicCloudIsTheDefaultAuthority() {
        var input = new AzureAuthSettings.Input("managed-identity", null, CLIENT, null, null, null, null, null, null, null, null);
        var settings = AzureAuthSettings.resolve(input, Map.of("AZURE_CLIENT_ID", "99999999-9999-9999-9999-999999999999"));

        assertThat(settings.clientId()).isEqualTo(CLIENT);
        assertThat(settings.authorityHost()).isEqualTo(AzureAuthSettings.PUBLIC_CLOUD_AUTHORITY);
    }

    @Test
    void workloadIdentityWithoutTheWebhookListsEveryMissingSettingWithItsVariable() {
        assertThatThrownBy(() -> AzureAuthSettings.resolve(azure("workload-identity"), Map.of()))
                .isInstanceOfSatisfying(IdentityConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "azure.auth.tenantId: required for mode workload-identity (or set AZURE_TENANT_ID)",
                        "azure.auth.clientId: required for mode workload-identity (or set AZURE_CLIENT_ID)",
                        "azure.auth.federatedTokenFile: required for mode workload-identity (or set AZURE_FEDERATED_TOKEN_FILE)"));
    }

    @Test
    void aMissingTokenFileNamesTheWebhookLabelToCheck() {
        var problems = AzureAuthSettings.validate(azure("workload-identity"), Map.of("AZURE_TENANT_ID", TENANT,
                "AZURE_CLIENT_ID", CLIENT, "AZURE_FEDERATED_TOKEN_FILE", dir.resolve("absent").toString()));

        assertThat(problems).singleElement().asString()
                .startsWith("azure.auth.federatedTokenFile: '" + dir.resolve("absent") + "' does not exist")
                .contains("azure.workload.identity/use");
    }

    @Test
    void badValuesAreListedWithTheValueAndAnHttpAuthorityIsRefused() {
        var input = new AzureAuthSettings.Input("client-secret", "not a tenant!", "12345", "http://login.example", null,
                null, null, null, null, null, null);

        assertThat(AzureAuthSettings.validate(input, Map.of())).containsExactly(
                "azure.auth.tenantId: must be a tenant GUID or verified domain (contoso.onmicrosoft.com), was 'not a tenant!'",
                "azure.auth.clientId: must be a GUID (00000000-0000-0000-0000-000000000000), was '12345'",
                "azure.auth.authorityHost: must be an absolute https URL, was 'http://login.example'",
                "azure.auth.clientSecret: required for mode client-secret (set it through SKYFERRY_AZURE_AUTH_CLIENT_SECRET)");
    }

    @Test
    void anUnknownModeNamesTheModesThereAre() {
        assertThat(AzureAuthSettings.validate(azure("msi"), Map.of())).containsExactly(
                "azure.auth.mode: 'msi' is not one of [workload-identity, managed-identity, default, client-secret,"
                        + " client-certificate, aws-federated, shared-key]");
    }

    @Test
    void secretsAreNeverEchoedAndASecretLeftForAnotherModeIsAProblem() {
        var input = new AzureAuthSettings.Input("managed-identity", null, null, null, null, "hunter2-secret", null, null,
                null, null, "AccountName=x;AccountKey=c2VjcmV0");
        var problems = AzureAuthSettings.validate(input, Map.of());

        assertThat(problems).containsExactly(
                "azure.auth.clientSecret: only used with mode client-secret; remove it (a secret that is not needed should not be stored)",
                "azure.auth.connectionString: only used with mode shared-key; remove it (a secret that is not needed should not be stored)");
        assertThat(String.join("\n", problems)).doesNotContain("hunter2").doesNotContain("c2VjcmV0");
    }

    @Test
    void settingsPrintWithoutTheirSecrets() {
        var settings = AzureAuthSettings.resolve(new AzureAuthSettings.Input("client-secret", TENANT, CLIENT, null, null,
                "hunter2-secret", null, null, null, null, null), Map.of());

        assertThat(settings.toString()).contains("clientSecret=****").doesNotContain("hunter2");
        assertThat(settings.clientSecret().reveal()).isEqualTo("hunter2-secret");
    }

    @Test
    void aPemCertificateTakesNoPassword() throws IOException {
        Path pem = Files.writeString(dir.resolve("app.pem"), "-----BEGIN CERTIFICATE-----");
        var input = new AzureAuthSettings.Input("client-certificate", TENANT, CLIENT, null, null, null, pem.toString(),
                "pw", null, null, null);

        assertThat(AzureAuthSettings.validate(input, Map.of())).singleElement().asString()
                .startsWith("azure.auth.certificatePassword: only used with a PFX/PKCS#12 certificate");
    }

    @Test
    void awsFederatedFromAFileNeedsTheFileAndStsIsTheDefaultSource() throws IOException {
        var fromSts = AzureAuthSettings.resolve(new AzureAuthSettings.Input("aws-federated", TENANT, CLIENT, null, null,
                null, null, null, null, null, null), Map.of());
        assertThat(fromSts.awsTokenSource()).isEqualTo(AzureAuthSettings.AwsTokenSource.STS);

        assertThat(AzureAuthSettings.validate(new AzureAuthSettings.Input("aws-federated", TENANT, CLIENT, null, null,
                null, null, null, "file", null, null), Map.of())).containsExactly(
                "azure.auth.awsTokenFile: required for awsTokenSource file (the projected token with audience api://AzureADTokenExchange)");
    }

    @Test
    void azureFederatedNeedsRoleAudienceAndRegion() {
        assertThat(AwsAuthSettings.validate(aws("azure-federated", null, null, null, null), Map.of())).containsExactly(
                "aws.region: required for mode azure-federated (the regional STS endpoint is used; or set AWS_REGION)",
                "aws.auth.roleArn: required for mode azure-federated",
                "aws.auth.audience: required for mode azure-federated (the Entra app ID URI, e.g. api://skyferry-aws-federation)");
    }

    @Test
    void azureFederatedResolvesTheScopeAskedOfEntra() {
        var settings = AwsAuthSettings.resolve(aws("azure-federated", "arn:aws:iam::123456789012:role/skyferry",
                "api://skyferry-aws-federation", 3600, "eu-west-1"), Map.of());

        assertThat(settings.entraScope()).isEqualTo("api://skyferry-aws-federation/.default");
        assertThat(settings.sessionDuration()).hasSeconds(3600);
        assertThat(settings.roleSessionName()).isEqualTo("skyferry");
        assertThat(settings.partition()).isEqualTo("aws");
    }

    @Test
    void audienceWithDefaultSuffixOrCharactersTheSdkRejectsAndOutOfRangeDurationAreProblems() {
        assertThat(AwsAuthSettings.validate(aws("azure-federated", "arn:aws:iam::123456789012:role/skyferry",
                "api://skyferry/.default", 600, "eu-west-1"), Map.of())).containsExactly(
                "aws.auth.durationSeconds: must be between 900 and 43200 (and at most the role's maximum session duration), was 600",
                "aws.auth.audience: leave out '/.default': Skyferry asks Entra for <audience>/.default itself, was 'api://skyferry/.default'");
        assertThat(AwsAuthSettings.validate(aws("azure-federated", "arn:aws:iam::123456789012:role/skyferry",
                "api://skyferry aws", null, "eu-west-1"), Map.of())).singleElement().asString()
                .startsWith("aws.auth.audience: may contain only letters, digits and . - : / _");
    }

    @Test
    void partitionsMustAgreeAcrossRegionAndRoleArn() {
        var input = new AwsAuthSettings.Input("azure-federated", "arn:aws:iam::123456789012:role/skyferry", null,
                "api://skyferry", null, null, null, null, "cn-north-1", "aws-cn", null);

        assertThat(AwsAuthSettings.validate(input, Map.of())).containsExactly(
                "aws.auth.roleArn: 'arn:aws:iam::123456789012:role/skyferry' is in partition aws, not aws.partition 'aws-cn'");
        assertThat(AwsAuthSettings.validate(new AwsAuthSettings.Input("default", null, null, null, null, null, null, null,
                "us-gov-west-1", "aws", null), Map.of())).containsExactly(
                "aws.region: 'us-gov-west-1' belongs to partition aws-us-gov, not aws.partition 'aws'");
    }

    @Test
    void webIdentityFileTakesRoleTokenFileAndRegionFromIrsaEnvironment() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "x");
        var settings = AwsAuthSettings.resolve(aws("web-identity-file", null, null, null, null), Map.of(
                "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
                "AWS_REGION", "eu-central-1"));

        assertThat(settings.roleArn()).isEqualTo("arn:aws:iam::123456789012:role/irsa");
        assertThat(settings.webIdentityTokenFile()).isEqualTo(token);
        assertThat(settings.region()).isEqualTo("eu-central-1");
    }

    @Test
    void staticKeysAreRequiredTogetherAndTheSecretIsNeverEchoed() {
        var input = new AwsAuthSettings.Input("static", null, null, null, null, null, "lowercase-key", "wJalrXUtnFEMI/K7MDENG",
                null, null, null);
        var problems = AwsAuthSettings.validate(input, Map.of());

        assertThat(problems).containsExactly(
                "aws.auth.accessKeyId: is not an access key id (upper-case letters and digits), was 'lowercase-key'");
        assertThat(AwsAuthSettings.resolve(new AwsAuthSettings.Input("static", null, null, null, null, null, "AKIAEXAMPLE12345",
                "wJalrXUtnFEMI/K7MDENG", null, null, null), Map.of()).toString()).doesNotContain("wJalrXUtnFEMI");
    }
}
