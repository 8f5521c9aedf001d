package dev.skyferry.worker;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.store.StoreException;
import dev.skyferry.store.s3.S3ClientOptions;
import dev.skyferry.store.s3.S3Clients;
import dev.skyferry.store.s3.S3Store;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.fault.FaultProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

@ExtendWith(EmulatorExtension.class)
class HealthProbeTest {

    @Test
    void aStoreThatAnswersIsReadyEvenWhenTheProbeKeyDoesNotExistAndNotWhenItCannotBeReached(Emulators emulators) {
        String bucket = Emulators.freshName("probe");
        emulators.s3Client().createBucket(r -> r.bucket(bucket));
        try (FaultProxy proxy = FaultProxy.inFrontOf(emulators.s3Endpoint())) {
            S3ClientOptions options = S3ClientOptions.compatible(emulators.awsRegion(), proxy.proxiedUri(emulators.s3Endpoint()),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(emulators.awsAccessKeyId(), emulators.awsSecretAccessKey())));
            HealthProbe probe = HealthProbe.ofStore("target s3://" + bucket,
                    new S3Store(S3Clients.client(options), S3Clients.presigner(options), bucket), ".skyferry-readiness-probe");

            assertThatCode(probe::check).doesNotThrowAnyException();

            proxy.resetConnections(true);
            assertThatThrownBy(probe::check).isInstanceOf(StoreException.class);
        }
    }
}
