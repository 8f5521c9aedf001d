package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.app.local.EmulatorConfig;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.plan.Provenance;
import dev.skyferry.queue.AzureDeadLetterEnvelope;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code skyferry run} as wired from a config, on the emulators: real queues in, replicas out in both
 * directions, poison aside, and the HTTP endpoints answering as documented.
 */
@ExtendWith(EmulatorExtension.class)
class RunWorkerTest {

    private final Emulators emulators;
    private final HttpClient http = HttpClient.newHttpClient();
    private String container;
    private String bucket;
    private String azureQueue;
    private String sqsQueueUrl;
    private String dlqUrl;
    private RunningWorker worker;

    RunWorkerTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @BeforeEach
    void startWorker() {
        container = Emulators.freshName("run");
        bucket = Emulators.freshName("run");
        azureQueue = Emulators.freshName("events");
        emulators.blobService().createBlobContainer(container);
        emulators.s3Client().createBucket(b -> b.bucket(bucket));
        emulators.queueService().createQueue(azureQueue);
        emulators.queueService().createQueue(azureQueue + "-poison");
        dlqUrl = emulators.sqsClient().createQueue(b -> b.queueName(Emulators.freshName("dlq"))).queueUrl();
        String dlqArn = emulators.sqsClient().getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sqsQueueUrl = emulators.sqsClient().createQueue(b -> b.queueName(Emulators.freshName("events")).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"5\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"))).queueUrl();

        ObjectNode tree = new EmulatorConfig(emulators, container, bucket, azureQueue, sqsQueueUrl, dlqUrl).tree();
        worker = WorkerAssembly.start(load(tree), Map.of());
    }

    @AfterEach
    void stopWorker() {
        worker.close();
    }

    @Test
    void replicatesBothDirectionsFromRealQueuesAndReportsItOnMetrics() throws Exception {
        byte[] azureBytes = "from azure".getBytes();
        BlobContainerClient blobs = emulators.blobService().getBlobContainerClient(container);
        var uploaded = blobs.getBlobClient("docs/a file.txt").uploadWithResponse(
                new com.azure.storage.blob.options.BlobParallelUploadOptions(BinaryData.fromBytes(azureBytes)), null, null);
        emulators.queueService().getQueueClient(azureQueue).sendMessage(SyntheticEvents.azureBlobCreated(
                emulators.azureAccount(), container, "docs/a file.txt", uploaded.getValue().getETag(), azureBytes.length,
                "text/plain", "0000000000000001", emulators.blobEndpoint(), Instant.now()));

        byte[] s3Bytes = "from s3".getBytes();
        var put = emulators.s3Client().putObject(b -> b.bucket(bucket).key("logs/a+b.txt"), RequestBody.fromBytes(s3Bytes));
        emulators.sqsClient().sendMessage(b -> b.queueUrl(sqsQueueUrl).messageBody(SyntheticEvents.s3ObjectCreated(
                emulators.awsRegion(), bucket, "logs/a+b.txt", s3Bytes.length, put.eTag(), null, "0000000000000001", Instant.now())));

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var replica = emulators.s3Client().headObject(b -> b.bucket(bucket).key("docs/a file.txt"));
            assertThat(replica.metadata()).containsEntry(Provenance.SOURCE_MD5, md5(azureBytes))
                    .containsEntry(Provenance.REPLICA_MARKER, "1");
        });
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var properties = blobs.getBlobClient("logs/a+b.txt").getProperties();
            assertThat(properties.getMetadata()).containsEntry(Provenance.SOURCE_MD5, md5(s3Bytes));
        });

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = get("/metrics").body();
            assertThat(metrics)
                    .contains("skyferry_events_total{direction=\"azure-to-s3\",outcome=\"replicated\",reason=\"replicated\"}")
                    .contains("skyferry_events_total{direction=\"s3-to-azure\",outcome=\"replicated\",reason=\"replicated\"}")
                    .contains("skyferry_replication_lag_seconds_bucket")
                    .contains("skyferry_copy_duration_seconds")
                    .contains("skyferry_receive_duration_seconds_bucket")
                    .contains("skyferry_copy_slot_wait_seconds_bucket")
                    .contains("skyferry_settle_duration_seconds_count{action=\"delete\"")
                    .contains("skyferry_bytes_replicated_total")
                    .contains("skyferry_copies_in_flight")
                    .contains("skyferry_buffered_bytes ")
                    .contains("resilience4j_circuitbreaker_state");
        });
    }

    @Test
    void poisonMessageReachesThePoisonQueueWithItsReasonAndOriginalText() {
        String garbage = "this is not an event";
        QueueClient raw = emulators.queueService(com.azure.storage.queue.QueueMessageEncoding.NONE).getQueueClient(azureQueue);
        raw.sendMessage(garbage);

        QueueClient poison = emulators.queueService(com.azure.storage.queue.QueueMessageEncoding.NONE).getQueueClient(azureQueue + "-poison");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            var messages = poison.peekMessages(1, null, null).stream().toList();
            assertThat(messages).hasSize(1);
            var envelope = AzureDeadLetterEnvelope.parse(messages.get(0).getBody().toString()).orElseThrow();
            assertThat(envelope.originalText()).isEqualTo(garbage);
            assertThat(envelope.reason()).isEqualTo("unparseable");
        });
    }

    @Test
    void healthEndpointsAnswer() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/readyz").statusCode()).isEqualTo(200));
        assertThat(get("/metrics").headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    }

    @Test
    void aSecondWorkerOnTheSamePortSaysWhichSettingToChange() {
        ObjectNode tree = new EmulatorConfig(emulators, container, bucket, azureQueue, sqsQueueUrl, dlqUrl).tree();
        tree.withObject("/worker/http").put("port", worker.httpPort());

        assertThatThrownBy(() -> WorkerAssembly.start(load(tree), Map.of()))
                .hasMessageContaining("cannot open the HTTP port " + worker.httpPort())
                .hasMessageContaining("set worker.http.port");
    }

    /** As `run` loads its config: every check, here against no environment. */
    private static SkyferryConfig load(ObjectNode tree) {
        return ConfigLoader.bind(tree, Map.of(), config -> Wiring.problems(config, Map.of(), Runtime.getRuntime().maxMemory()));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String md5(byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    }
}
