package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.testkit.RequiresDocker;
import dev.skyferry.testkit.identity.LocalFederation;
import dev.skyferry.testkit.identity.LocalSts;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The same azure-federated flow against LocalStack's STS and S3, where a Docker engine answers
 * (skipped with the reason elsewhere). LocalStack's community STS does not validate the web identity
 * token, so this shows the SDK wiring against another STS implementation; token validation is shown
 * against {@link LocalSts}.
 */
@RequiresDocker
class LocalStackFederationTest {

    /** The harness's pin (testkit LocalStackAws): newer images need an account token. */
    private static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4.0");

    private static LocalStackContainer localstack;
    private static LocalFederation federation;

    @BeforeAll
    static void start() {
        localstack = new LocalStackContainer(IMAGE).withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.STS);
        localstack.start();
        federation = LocalFederation.start(LocalSts.builder());
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
        if (localstack != null) {
            localstack.stop();
        }
    }

    @Test
    void entraTokenExchangedAtLocalStackStsGivesCredentialsItsS3Accepts() {
        var aws = AwsAuthSettings.resolve(new AwsAuthSettings.Input("azure-federated",
                "arn:aws:iam::000000000000:role/skyferry", "skyferry", LocalFederation.AUDIENCE, 900, null, null, null,
                localstack.getRegion(), "aws", localstack.getEndpoint().toString()), Map.of());
        var azure = AzureCredentials.create(AzureAuthSettings.resolve(federation.azureAuth(), federation.env()), federation.env());

        try (var credentials = AwsCredentials.create(aws, azure);
             S3Client s3 = S3Client.builder().endpointOverride(localstack.getEndpoint()).region(Region.of(localstack.getRegion()))
                     .forcePathStyle(true)
                     .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                     .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                     .credentialsProvider(credentials).build()) {
            assertThat(credentials.resolveCredentials()).isInstanceOf(AwsSessionCredentials.class);
            s3.createBucket(b -> b.bucket("federated"));
            s3.putObject(b -> b.bucket("federated").key("hello.txt"), RequestBody.fromString("via localstack sts"));

            assertThat(s3.getObjectAsBytes(b -> b.bucket("federated").key("hello.txt")).asUtf8String()).isEqualTo("via localstack sts");
        }
        assertThat(federation.issuer().tokensIssued()).isGreaterThanOrEqualTo(1);
    }
}
