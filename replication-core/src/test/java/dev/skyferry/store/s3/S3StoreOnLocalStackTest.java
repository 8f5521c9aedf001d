package dev.skyferry.store.s3;

import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStoreContract;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.LocalStackAws;
import dev.skyferry.testkit.RequiresDocker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The store conformance suite against LocalStack's S3, a second S3 implementation beside S3Proxy
 * ({@link S3StoreTest}); skipped, with the reason shown, where no Docker engine runs. The client is
 * built as the worker builds one for an S3-compatible endpoint ({@link S3ClientOptions#compatible}); the
 * store, as in S3StoreTest, assumes the endpoint checks what S3 checks (EndpointChecks.AWS), so its parts
 * over plain HTTP go with their signed SHA-256 alone. Never run where it was written (no Docker there).
 */
@RequiresDocker
class S3StoreOnLocalStackTest extends ObjectStoreContract {

    private static LocalStackAws localStack;
    private static S3Client s3;
    private static S3Presigner presigner;

    @BeforeAll
    static void startLocalStack() {
        localStack = LocalStackAws.start();
        S3ClientOptions options = S3ClientOptions.compatible(localStack.awsRegion(), localStack.s3Endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(localStack.awsAccessKeyId(),
                        localStack.awsSecretAccessKey())));
        s3 = S3Clients.client(options);
        presigner = S3Clients.presigner(options);
    }

    @AfterAll
    static void stopLocalStack() {
        if (presigner != null) {
            presigner.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (localStack != null) {
            localStack.close();
        }
    }

    @Override
    protected ObjectStore newStore() {
        String bucket = Emulators.freshName("contract");
        s3.createBucket(b -> b.bucket(bucket));
        return new S3Store(s3, presigner, bucket);
    }

    @Override
    protected ObjectStore storeOnMissingContainer() {
        return new S3Store(s3, presigner, Emulators.freshName("missing"));
    }

    @Override
    protected int minPartSize() {
        return S3StoreTest.S3_MIN_PART;
    }
}
