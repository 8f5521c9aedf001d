package dev.skyferry.app.bench;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.local.EmulatorConfig;
import dev.skyferry.app.local.WorkerProcess;
import dev.skyferry.testkit.EmulatorOptions;
import dev.skyferry.testkit.Emulators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What the lag benchmark runs against: the emulators, one container, one bucket, the Azure queue
 * (with its poison queue) and the SQS queue (with a DLQ behind a redrive policy), and the production
 * worker as its own process on a two-way rule between them, logging JSON at INFO.
 */
final class LagEnvironment implements AutoCloseable {

    static final String CONTAINER = "skyferry-lag";
    static final String BUCKET = "skyferry-lag";
    static final String AZURE_QUEUE = "skyferry-lag-events";
    static final String SQS_QUEUE = "skyferry-lag-events";
    static final String SQS_DLQ = "skyferry-lag-events-dlq";

    private final Emulators emulators;
    private final String sqsQueueUrl;
    private final String sqsDlqUrl;
    private final QueueClient azureQueue;
    private final WorkerProcess worker;

    private LagEnvironment(Emulators emulators, Path workDir) throws InterruptedException {
        this.emulators = emulators;
        emulators.blobService().createBlobContainerIfNotExists(CONTAINER);
        emulators.queueService().createQueue(AZURE_QUEUE);
        emulators.queueService().createQueue(AZURE_QUEUE + "-poison");
        emulators.s3Client().createBucket(b -> b.bucket(BUCKET));
        SqsClient sqs = emulators.sqsClient();
        sqsDlqUrl = sqs.createQueue(b -> b.queueName(SQS_DLQ)).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(sqsDlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        sqsQueueUrl = sqs.createQueue(b -> b.queueName(SQS_QUEUE).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"5\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}"))).queueUrl();
        // Event Grid writes base64-encoded messages to storage queues.
        azureQueue = emulators.queueService().getQueueClient(AZURE_QUEUE);

        EmulatorConfig config = new EmulatorConfig(emulators, CONTAINER, BUCKET, AZURE_QUEUE, sqsQueueUrl, sqsDlqUrl);
        int port = freePort();
        ObjectNode root = config.tree();
        root.withObject("/worker/http").put("port", port);
        // JSON for the per-replica "replicated" lines (timestamp + object); INFO, never DEBUG, so the
        // logging itself costs what it costs in production.
        root.withObject("/logging").put("format", "json").put("level", "INFO");
        Path file = config.writeTo(workDir.resolve("worker.yaml"));
        // The heap the throughput bench gives the worker; the unset copy.memoryBudget takes 40% of it.
        worker = WorkerProcess.start(WorkerProcess.packagedJar(), file, port, List.of("-Xmx256m"), workDir.resolve("worker.log"));
        worker.awaitReady(Duration.ofSeconds(120));
    }

    static LagEnvironment start(Path workDir) throws InterruptedException {
        Emulators emulators = Emulators.start(EmulatorOptions.defaults().withLogDirectory(workDir.resolve("emulator-logs")));
        try {
            return new LagEnvironment(emulators, workDir);
        } catch (RuntimeException | InterruptedException e) {
            emulators.close();
            throw e;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Emulators emulators() {
        return emulators;
    }

    WorkerProcess worker() {
        return worker;
    }

    BlobContainerClient container() {
        return emulators.blobService().getBlobContainerClient(CONTAINER);
    }

    /** Sends base64 text, as Event Grid does. */
    QueueClient azureQueue() {
        return azureQueue;
    }

    S3Client s3() {
        return emulators.s3Client();
    }

    SqsClient sqs() {
        return emulators.sqsClient();
    }

    String sqsQueueUrl() {
        return sqsQueueUrl;
    }

    /** Messages the worker moved aside: Azure poison queue plus SQS DLQ. */
    long deadLettered() {
        long poison = emulators.queueService().getQueueClient(AZURE_QUEUE + "-poison").getProperties().getApproximateMessagesCount();
        String count = sqs().getQueueAttributes(b -> b.queueUrl(sqsDlqUrl)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        return poison + Long.parseLong(count);
    }

    @Override
    public void close() {
        worker.terminate();
        try {
            worker.waitFor(Duration.ofSeconds(20));
        } catch (InterruptedException | IllegalStateException e) {
            worker.close();
        }
        worker.close();
        emulators.close();
    }
}
