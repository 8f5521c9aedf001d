package dev.skyferry.ops;

import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.pipeline.ReplicationPipeline;
import dev.skyferry.pipeline.StoreLookup;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.azure.AzureBlobStore;
import dev.skyferry.store.s3.S3ClientOptions;
import dev.skyferry.store.s3.S3Clients;
import dev.skyferry.store.s3.S3Store;
import dev.skyferry.testkit.Emulators;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Stores and rules on the emulators, built the way the app builds them for real clouds. */
public final class OpsFixtures {

    private final Emulators emulators;
    private final S3Client s3;
    private final S3Presigner presigner;

    public OpsFixtures(Emulators emulators) {
        this.emulators = emulators;
        S3ClientOptions options = S3ClientOptions.compatible(emulators.awsRegion(), emulators.s3Endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(emulators.awsAccessKeyId(),
                        emulators.awsSecretAccessKey())));
        this.s3 = S3Clients.client(options);
        this.presigner = S3Clients.presigner(options);
    }

    public Emulators emulators() {
        return emulators;
    }

    /** A new, empty container. */
    public ObjectStore newContainer(String prefix) {
        String name = Emulators.freshName(prefix);
        emulators.blobService().createBlobContainer(name);
        return container(name);
    }

    public ObjectStore container(String name) {
        return new AzureBlobStore(emulators.blobService().getBlobContainerClient(name));
    }

    /** A new, empty bucket. */
    public ObjectStore newBucket(String prefix) {
        String name = Emulators.freshName(prefix);
        s3.createBucket(b -> b.bucket(name));
        return new S3Store(s3, presigner, name);
    }

    /** A rule between the two stores, with the emulator's blob endpoint (routing checks event URLs against it). */
    public ReplicationRule rule(String name, ObjectStore azure, String azurePrefix, ObjectStore bucket, String s3Prefix,
                                ReplicationRule.Direction direction, ReplicationRule.DeletePolicy deletes,
                                ReplicationRule.KeyFilter filter) {
        return new ReplicationRule(name,
                new ReplicationRule.AzureSide(azure.account(), azure.container(), azurePrefix, emulators.blobEndpoint()),
                new ReplicationRule.S3Side(bucket.container(), s3Prefix), direction, filter, deletes,
                ReplicationRule.InvalidMetadataPolicy.RENAME, ObjectStore.TargetOptions.DEFAULTS,
                ObjectStore.TargetOptions.DEFAULTS, false);
    }

    /**
     * The worker's pipeline over these two stores. S3 → Azure streams: Azurite has no Put Blob From URL,
     * and trying it first for every object only adds a refused request.
     */
    public static EventProcessor pipeline(RuleSet rules, ObjectStore azure, ObjectStore bucket) {
        CopySettings settings = new CopySettings(CopySettings.DEFAULT_PART_SIZE, CopySettings.DEFAULT_PARTS_IN_FLIGHT,
                CopySettings.DEFAULT_READ_STREAMS, CopySettings.DEFAULT_MEMORY_BUDGET, CopySettings.S3ToAzureMode.STREAM);
        StoreLookup stores = (kind, account, container) -> kind == StoreKind.AZURE_BLOB ? azure : bucket;
        return new ReplicationPipeline(rules, stores, settings, BufferBudget.forSettings(settings), Clock.systemUTC());
    }

    public static RuleSet rules(ReplicationRule... rules) {
        return RuleSet.of(List.of(rules));
    }
}
