package dev.skyferry.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.queue.AzureQueueSource;
import dev.skyferry.queue.ReceivedMessage;
import dev.skyferry.queue.SqsDeleteBatcher;
import dev.skyferry.queue.SqsSource;
import dev.skyferry.queue.SqsSourceSettings;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.azure.AzureBlobClients;
import dev.skyferry.store.azure.AzureBlobStore;
import dev.skyferry.store.s3.S3ClientOptions;
import dev.skyferry.store.s3.S3Clients;
import dev.skyferry.store.s3.S3Store;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.AwsClients;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.fault.FaultProxy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Throttling, outages and bytes flipped on the way, injected by a fault proxy in front of the emulators,
 * through the real stores and queue sources: retried and successful, Retry-After honored, a refused
 * body sent again, breakers opened by a dead service.
 */
@ExtendWith(EmulatorExtension.class)
class ResilienceUnderInjectedFaultsTest {

    private static final RetrySettings RETRY = new RetrySettings(4, Duration.ofMillis(20), Duration.ofSeconds(2),
            Duration.ofSeconds(30), Duration.ofMinutes(15));

    private record Retried(Endpoint endpoint, Duration waited) {}

    private final List<Retried> retried = new CopyOnWriteArrayList<>();
    private Emulators emulators;
    private FaultProxy proxy;

    @BeforeEach
    void setUp(Emulators emulators) {
        this.emulators = emulators;
    }

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private ResilientCalls calls(CircuitBreakerSettings breakers) {
        return new ResilientCalls(RETRY, new EndpointBreakers(breakers),
                (endpoint, attempt, failure, wait) -> retried.add(new Retried(endpoint, wait)));
    }

    private ObjectStore s3StoreBehindProxy(String bucket) {
        proxy = FaultProxy.inFrontOf(emulators.s3Endpoint());
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(emulators.awsAccessKeyId(), emulators.awsSecretAccessKey()));
        S3ClientOptions options = S3ClientOptions.compatible(emulators.awsRegion(), proxy.proxiedUri(emulators.s3Endpoint()), credentials);
        S3Client client = S3Clients.client(options);
        return new S3Store(client, S3Clients.presigner(options), bucket);
    }

    private ObjectStore azureStoreBehindProxy(String container) {
        proxy = FaultProxy.inFrontOf(URI.create(emulators.blobEndpoint()));
        String proxied = proxy.proxiedUri(URI.create(emulators.blobEndpoint())).toString();
        return new AzureBlobStore(AzureBlobClients.container(proxied, container,
                new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey())));
    }

    private static ObjectStore.WriteSpec spec(byte[] content) throws Exception {
        return new ObjectStore.WriteSpec(ObjectAttributes.NONE, content.length,
                MessageDigest.getInstance("MD5").digest(content), ObjectStore.TargetOptions.DEFAULTS);
    }

    @Test
    void s3SlowDownIsRetriedAndThePutSucceeds() throws Exception {
        String bucket = Emulators.freshName("faults");
        emulators.s3Client().createBucket(r -> r.bucket(bucket));
        ObjectStore store = ResilientObjectStore.wrap(s3StoreBehindProxy(bucket), calls(CircuitBreakerSettings.DEFAULTS));
        byte[] content = "replica".getBytes(StandardCharsets.UTF_8);

        proxy.failNextRequests(2, FaultProxy.CannedResponse.s3SlowDown());
        store.put("k.txt", ByteBuffer.wrap(content), spec(content), Precondition.NONE);

        assertThat(retried).extracting(Retried::endpoint).containsExactly(Endpoint.S3, Endpoint.S3);
        assertThat(emulators.s3Client().getObjectAsBytes(r -> r.bucket(bucket).key("k.txt")).asUtf8String()).isEqualTo("replica");
    }

    @Test
    void azureServerBusyIsRetriedAfterItsRetryAfter() throws Exception {
        String container = Emulators.freshName("faults");
        emulators.blobService().createBlobContainer(container);
        ObjectStore store = ResilientObjectStore.wrap(azureStoreBehindProxy(container), calls(CircuitBreakerSettings.DEFAULTS));
        byte[] content = "replica".getBytes(StandardCharsets.UTF_8);

        proxy.failNextRequests(1, FaultProxy.CannedResponse.azureServerBusy()); // Retry-After: 1
        store.put("k.txt", ByteBuffer.wrap(content), spec(content), Precondition.NONE);

        assertThat(retried).singleElement().satisfies(r -> {
            assertThat(r.endpoint()).isEqualTo(Endpoint.AZURE_BLOB);
            assertThat(r.waited()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
        assertThat(emulators.blobService().getBlobContainerClient(container).getBlobClient("k.txt").downloadContent().toString())
                .isEqualTo("replica");
    }

    @Test
    void anS3PartWhoseBytesChangedOnTheWayIsRefusedBySignedHashAndSentAgain() throws Exception {
        String bucket = Emulators.freshName("faults");
        emulators.s3Client().createBucket(r -> r.bucket(bucket));
        ObjectStore store = ResilientObjectStore.wrap(s3StoreBehindProxy(bucket), calls(CircuitBreakerSettings.DEFAULTS));
        byte[] part = randomBytes(64 * 1024);

        proxy.corruptNextRequestBodies(1, part.length);
        ObjectStore.MultipartWrite write = store.startMultipart("flipped.bin", spec(part), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(part), null); // plain HTTP: the signed SHA-256 checks it
        write.complete();

        assertThat(proxy.faultsInjected()).isEqualTo(1);
        assertThat(retried).extracting(Retried::endpoint).containsExactly(Endpoint.S3);
        assertThat(emulators.s3Client().getObjectAsBytes(r -> r.bucket(bucket).key("flipped.bin")).asByteArray()).isEqualTo(part);
    }

    @Test
    void anAzureBlockWhoseBytesChangedOnTheWayIsRefusedByItsMd5AndSentAgain() throws Exception {
        String container = Emulators.freshName("faults");
        emulators.blobService().createBlobContainer(container);
        ObjectStore store = ResilientObjectStore.wrap(azureStoreBehindProxy(container), calls(CircuitBreakerSettings.DEFAULTS));
        byte[] block = randomBytes(64 * 1024);

        proxy.corruptNextRequestBodies(1, block.length);
        ObjectStore.MultipartWrite write = store.startMultipart("flipped.bin", spec(block), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(block), MessageDigest.getInstance("MD5").digest(block));
        write.complete();

        assertThat(proxy.faultsInjected()).isEqualTo(1);
        assertThat(retried).extracting(Retried::endpoint).containsExactly(Endpoint.AZURE_BLOB);
        assertThat(emulators.blobService().getBlobContainerClient(container).getBlobClient("flipped.bin")
                .downloadContent().toBytes()).isEqualTo(block);
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aServiceThatStopsAnsweringOpensItsBreakerAndOnlyItsOwn() {
        String bucket = Emulators.freshName("faults");
        emulators.s3Client().createBucket(r -> r.bucket(bucket));
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1)));
        ObjectStore store = ResilientObjectStore.wrap(s3StoreBehindProxy(bucket), calls);

        proxy.resetConnections(true);

        assertThatThrownBy(() -> store.stat("k"))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(FailureClassifier.isTransient(e)).isTrue());
        assertThat(calls.breakers().breaker(Endpoint.S3).getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(calls.breakers().breaker(Endpoint.AZURE_BLOB).getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThatThrownBy(() -> store.stat("k"))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.errorCode()).isEqualTo(ResilientCalls.CIRCUIT_OPEN));
    }

    @Test
    void aHeadItsCallerCancelledMidRequestIsNotAFailureOfTheService() throws Exception {
        String bucket = Emulators.freshName("faults");
        emulators.s3Client().createBucket(r -> r.bucket(bucket));
        ResilientCalls calls = calls(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1)));
        ObjectStore store = ResilientObjectStore.wrap(s3StoreBehindProxy(bucket), calls);
        proxy.blackHole(true); // the HEAD is on the wire when it is cancelled

        List<Throwable> cancelled = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            // As Replicator cancels the plan's HEAD of the target when the copy ended without it (an echo).
            Thread head = Thread.ofVirtual().start(() -> cancelled.add(catchThrowable(() -> store.stat("k"))));
            Thread.sleep(200);
            head.interrupt();
            head.join();
        }

        assertThat(cancelled).hasSize(4).allSatisfy(failure -> assertThat(failure).isInstanceOf(StoreException.class));
        CircuitBreaker breaker = calls.breakers().breaker(Endpoint.S3);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void sqsThrottlingOfADeleteIsRetriedAndTheMessageIsGone() {
        proxy = FaultProxy.inFrontOf(emulators.sqsEndpoint());
        // As the app must build it: no SDK retries under ours (the SDK's would absorb the throttling unseen).
        URI proxied = proxy.proxiedUri(emulators.sqsEndpoint());
        try (SqsClient throughProxy = withoutSdkRetries(SqsClient.builder(), proxied)
                .httpClientBuilder(ApacheHttpClient.builder()).build();
             SqsAsyncClient deletesThroughProxy = withoutSdkRetries(SqsAsyncClient.builder(), proxied)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()).build();
             SqsDeleteBatcher deletes = new SqsDeleteBatcher(deletesThroughProxy)) {
            String queueUrl = emulators.sqsClient().createQueue(r -> r.queueName(Emulators.freshName("faults"))).queueUrl();
            emulators.sqsClient().sendMessage(r -> r.queueUrl(queueUrl).messageBody("done"));
            SqsSource source = new SqsSource(new SqsSourceSettings("s3-events", queueUrl, null, Duration.ofSeconds(30),
                    Duration.ZERO), throughProxy, deletes, Clock.systemUTC());
            ResilientCalls calls = calls(CircuitBreakerSettings.DEFAULTS);
            ReceivedMessage message = source.receive(1).getFirst();

            proxy.failNextRequests(2, FaultProxy.CannedResponse.sqsThrottled());
            calls.run(Endpoint.SQS, () -> source.delete(message));

            // At least the two throttled answers; arming the burst also cuts the pooled connection, which
            // can cost one more (transient) attempt.
            assertThat(retried).hasSizeGreaterThanOrEqualTo(2).extracting(Retried::endpoint).containsOnly(Endpoint.SQS);
            // Asked directly: arming the burst cut the pooled connection of the proxied client too.
            Map<QueueAttributeName, String> left = emulators.sqsClient().getQueueAttributes(r -> r.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            assertThat(left).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0");
        }
    }

    private <B extends AwsClientBuilder<B, ?>> B withoutSdkRetries(B builder, URI endpoint) {
        return AwsClients.on(builder, endpoint, emulators.awsRegion(), emulators.awsAccessKeyId(), emulators.awsSecretAccessKey())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    }

    @Test
    void azureQueueServerBusyOnAHeartbeatIsTransient() {
        proxy = FaultProxy.inFrontOf(URI.create(emulators.queueEndpoint()));
        String name = Emulators.freshName("faults");
        QueueClient direct = emulators.queueService(QueueMessageEncoding.NONE).createQueue(name);
        QueueClient throughProxy = new QueueClientBuilder()
                .endpoint(proxy.proxiedUri(URI.create(emulators.queueEndpoint())).toString())
                .queueName(name)
                .credential(new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey()))
                .messageEncoding(QueueMessageEncoding.NONE)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 1, (Duration) null, null, null, null))
                .buildClient();
        direct.sendMessage("copying");
        AzureQueueSource source = new AzureQueueSource(new AzureQueueSettings("azure-events", Duration.ofSeconds(30), 5),
                throughProxy, throughProxy, Clock.systemUTC());
        ReceivedMessage message = source.receive(1).getFirst();

        proxy.failNextRequests(1, FaultProxy.CannedResponse.azureServerBusy());

        assertThat(firstBeatThatReachedTheProxy(source, message)).satisfies(e -> {
            assertThat(e.kind()).isEqualTo(StoreException.Kind.THROTTLED);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            assertThat(FailureClassifier.isTransient(e)).isTrue();
        });
        source.extendVisibility(message, Duration.ofSeconds(30)); // the next beat goes through
        source.delete(message);
        assertThat(direct.getProperties().getApproximateMessagesCountLong()).isZero();
    }

    /**
     * Arming the burst cut the client's pooled connection. If the client has not seen the close yet,
     * its beat dies on that stale connection without an HTTP answer and never reaches the burst; such
     * a beat is sent again (a few times at most) until the proxy has answered one.
     */
    private StoreException firstBeatThatReachedTheProxy(AzureQueueSource source, ReceivedMessage message) {
        for (int attempt = 1; ; attempt++) {
            try {
                source.extendVisibility(message, Duration.ofSeconds(30));
                throw new AssertionError("the heartbeat went through; the proxy's ServerBusy never reached the client");
            } catch (StoreException e) {
                boolean diedOnStaleConnection = e.kind() == StoreException.Kind.UNAVAILABLE && proxy.faultsInjected() == 0;
                if (!diedOnStaleConnection || attempt == 3) {
                    return e;
                }
            }
        }
    }
}
