package dev.skyferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.pipeline.ReplicationPipeline;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.queue.AzureQueueSource;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.ResilientObjectStore;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.azure.AzureBlobClients;
import dev.skyferry.store.azure.AzureBlobStore;
import dev.skyferry.store.s3.S3ClientOptions;
import dev.skyferry.store.s3.S3Clients;
import dev.skyferry.store.s3.S3Store;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.fault.FaultProxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The worker driving the real engine on the emulators: Event Grid event on an Azure queue → blob on
 * Azurite copied to S3Proxy → message settled.
 */
@ExtendWith(EmulatorExtension.class)
class WorkerWithPipelineTest {

    /** S3's smallest multipart part (all but the last). */
    private static final int PART = 5 * 1024 * 1024;
    private static final RetrySettings RETRY = new RetrySettings(3, Duration.ofMillis(20), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(2));

    private final List<Worker> workers = new ArrayList<>();
    private final List<FaultProxy> proxies = new ArrayList<>();

    @AfterEach
    void tearDown() {
        workers.forEach(worker -> worker.stop(Duration.ZERO));
        proxies.forEach(FaultProxy::close);
    }

    private record Setup(Emulators emulators, BlobContainerClient container, String bucket, QueueClient queue, QueueClient poison) {}

    private Setup setUp(Emulators emulators) {
        String name = Emulators.freshName("e2e");
        BlobContainerClient container = emulators.blobService().createBlobContainer(name);
        emulators.s3Client().createBucket(r -> r.bucket(name));
        QueueServiceClient rawQueues = emulators.queueService(QueueMessageEncoding.NONE);
        return new Setup(emulators, container, name, rawQueues.createQueue(name), rawQueues.createQueue(name + "-poison"));
    }

    /** A worker replicating the container to the bucket; its S3 traffic goes through {@code s3Proxy} when given. */
    private Worker startWorker(Setup setup, FaultProxy s3Proxy) {
        Emulators emulators = setup.emulators();
        ResilientCalls calls = new ResilientCalls(RETRY, new EndpointBreakers(CircuitBreakerSettings.DEFAULTS), RetryObserver.NONE);
        URI s3Endpoint = s3Proxy == null ? emulators.s3Endpoint() : s3Proxy.proxiedUri(emulators.s3Endpoint());
        S3ClientOptions s3Options = S3ClientOptions.compatible(emulators.awsRegion(), s3Endpoint, StaticCredentialsProvider.create(
                AwsBasicCredentials.create(emulators.awsAccessKeyId(), emulators.awsSecretAccessKey())));
        ObjectStore s3 = ResilientObjectStore.wrap(
                new S3Store(S3Clients.client(s3Options), S3Clients.presigner(s3Options), setup.bucket()), calls);
        ObjectStore azure = ResilientObjectStore.wrap(new AzureBlobStore(AzureBlobClients.container(emulators.blobEndpoint(),
                setup.container().getBlobContainerName(),
                new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey()))), calls);
        ReplicationRule rule = new ReplicationRule("e2e",
                new ReplicationRule.AzureSide(emulators.azureAccount(), setup.container().getBlobContainerName(), "", emulators.blobEndpoint()),
                new ReplicationRule.S3Side(setup.bucket(), ""),
                ReplicationRule.Direction.AZURE_TO_S3, ReplicationRule.KeyFilter.ALL, ReplicationRule.DeletePolicy.IGNORE,
                ReplicationRule.InvalidMetadataPolicy.RENAME, ObjectStore.TargetOptions.DEFAULTS, ObjectStore.TargetOptions.DEFAULTS, false);
        ReplicationPipeline pipeline = new ReplicationPipeline(RuleSet.of(List.of(rule)),
                (kind, account, container) -> kind == StoreKind.S3 ? s3 : azure,
                new CopySettings(PART, 2, 2, 4L * PART, CopySettings.S3ToAzureMode.AUTO), new BufferBudget(4L * PART, PART),
                Clock.systemUTC());
        AzureQueueSource source = new AzureQueueSource(new AzureQueueSettings("azure-events", Duration.ofSeconds(30), 5,
                Duration.ofMillis(50), Duration.ofMillis(200)), setup.queue(), setup.poison(), Clock.systemUTC());
        Worker worker = Worker.builder()
                .settings(new WorkerSettings(4, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .calls(calls)
                .processor(pipeline)
                .source(source, new EventParser()::parseAzureQueueMessage)
                .build();
        workers.add(worker);
        worker.start();
        return worker;
    }

    private static byte[] upload(Setup setup, String blobName, int size) {
        byte[] content = new byte[size];
        new Random(7).nextBytes(content);
        BlobClient blob = setup.container().getBlobClient(blobName);
        blob.upload(BinaryData.fromBytes(content));
        String etag = blob.getProperties().getETag().replace("\"", "");
        String event = SyntheticEvents.azureBlobCreated(setup.emulators().azureAccount(), setup.container().getBlobContainerName(),
                blobName, etag, size, "application/octet-stream", "0000000000000000000000000000000000000000000000000000000000000001",
                setup.emulators().blobEndpoint(), Instant.now());
        setup.emulators().queueService().getQueueClient(setup.queue().getQueueName()).sendMessage(event); // base64, as Event Grid
        return content;
    }

    private static boolean exists(S3Client s3, String bucket, String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    @Test
    void replicatesABlobAndDeletesItsMessage(Emulators emulators) {
        Setup setup = setUp(emulators);
        byte[] content = upload(setup, "dir/photo.jpg", 300_000);

        startWorker(setup, null);

        await().atMost(Duration.ofSeconds(30)).until(() -> setup.queue().getProperties().getApproximateMessagesCountLong() == 0);
        assertThat(emulators.s3Client().getObjectAsBytes(r -> r.bucket(setup.bucket()).key("dir/photo.jpg")).asByteArray())
                .isEqualTo(content);
    }

    @Test
    void stoppedMidCopyTheMessageIsRedeliveredAndReplicatedOnceWithNoPartialObject(Emulators emulators) {
        Setup setup = setUp(emulators);
        byte[] content = upload(setup, "big.bin", 3 * PART);
        FaultProxy slowS3 = FaultProxy.inFrontOf(emulators.s3Endpoint()).latency(Duration.ofMillis(40));
        proxies.add(slowS3);
        Worker first = startWorker(setup, slowS3);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.inFlight() == 1);
        await().pollDelay(Duration.ofMillis(800)).until(() -> true); // well into the multipart upload

        first.stop(Duration.ofMillis(100));

        assertThat(exists(emulators.s3Client(), setup.bucket(), "big.bin")).as("no partial replica").isFalse();
        assertThat(emulators.s3Client().listMultipartUploads(r -> r.bucket(setup.bucket())).uploads())
                .as("the interrupted multipart upload was aborted").isEmpty();
        assertThat(setup.queue().peekMessage()).as("released at once, not after the visibility timeout").isNotNull();
        AtomicInteger deliveries = new AtomicInteger((int) setup.queue().peekMessage().getDequeueCount());
        assertThat(deliveries).hasValue(1);

        startWorker(setup, null);

        await().atMost(Duration.ofSeconds(60)).until(() -> setup.queue().getProperties().getApproximateMessagesCountLong() == 0);
        assertThat(emulators.s3Client().getObjectAsBytes(r -> r.bucket(setup.bucket()).key("big.bin")).asByteArray())
                .isEqualTo(content);
        assertThat(setup.poison().peekMessage()).isNull();
    }
}
