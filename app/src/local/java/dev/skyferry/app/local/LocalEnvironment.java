package dev.skyferry.app.local;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.RunningWorker;
import dev.skyferry.app.Wiring;
import dev.skyferry.app.WorkerAssembly;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.testkit.EmulatorOptions;
import dev.skyferry.testkit.Emulators;
import java.io.PrintStream;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The emulators, the resources a worker needs on them, the worker itself (wired exactly as
 * {@code skyferry run} wires it, from a config) and the local event bridge.
 */
final class LocalEnvironment implements AutoCloseable {

    static final String CONTAINER = "skyferry-local";
    static final String BUCKET = "skyferry-local";
    static final String AZURE_QUEUE = "skyferry-events";
    static final String SQS_QUEUE = "skyferry-events";
    static final String SQS_DLQ = "skyferry-events-dlq";

    private final Emulators emulators;
    private final String sqsQueueUrl;
    private final String sqsDlqUrl;
    private final QueueClient azureQueue;
    private final RunningWorker worker;
    private final LocalEventBridge bridge;

    private LocalEnvironment(Emulators emulators, int httpPort, boolean verbose) {
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

        SkyferryConfig config = ConfigLoader.bind(configTree(httpPort, verbose), Map.of(),
                bound -> Wiring.problems(bound, Map.of(), Runtime.getRuntime().maxMemory()));
        worker = WorkerAssembly.start(config, Map.of());
        bridge = new LocalEventBridge(this);
        bridge.start();
    }

    static LocalEnvironment start(int httpPort, boolean verbose) {
        Emulators emulators = Emulators.start(EmulatorOptions.defaults());
        try {
            return new LocalEnvironment(emulators, httpPort, verbose);
        } catch (RuntimeException e) {
            emulators.close();
            throw e;
        }
    }

    /** The same settings a user would write in skyferry.yaml, pointed at the emulators. */
    private ObjectNode configTree(int httpPort, boolean verbose) {
        ObjectNode root = new EmulatorConfig(emulators, CONTAINER, BUCKET, AZURE_QUEUE, sqsQueueUrl, sqsDlqUrl).tree();
        root.withObject("/worker/http").put("port", httpPort);
        root.withObject("/logging").put("format", verbose ? "json" : "text").put("level", verbose ? "INFO" : "WARN");
        return root;
    }

    void printConnectionDetails(PrintStream out) {
        out.println("Skyferry local — emulators on loopback, worker running");
        out.println();
        out.println("Azure (Azurite)   account " + emulators.azureAccount() + ", container " + CONTAINER);
        out.println("  connection string: " + emulators.azureConnectionString());
        out.println("  event queue " + AZURE_QUEUE + " (poison: " + AZURE_QUEUE + "-poison)");
        out.println("AWS (S3Proxy, ElasticMQ)   region " + emulators.awsRegion() + ", bucket " + BUCKET);
        out.println("  S3 endpoint:  " + emulators.s3Endpoint() + " (path-style)");
        out.println("  SQS endpoint: " + emulators.sqsEndpoint() + ", queue " + sqsQueueUrl + " (DLQ: " + sqsDlqUrl + ")");
        out.println("  AWS_ACCESS_KEY_ID=" + emulators.awsAccessKeyId() + " AWS_SECRET_ACCESS_KEY=" + emulators.awsSecretAccessKey());
        out.println("Worker   http://127.0.0.1:" + worker.httpPort() + "/healthz  /readyz  /metrics");
        out.println();
        out.println("Try: az storage blob upload --connection-string \"<above>\" -c " + CONTAINER + " -n hello.txt -f hello.txt");
        out.println("     aws --endpoint-url " + emulators.s3Endpoint() + " s3 cp hello.txt s3://" + BUCKET + "/hello.txt");
        out.println();
        out.flush();
    }

    LocalEventBridge bridge() {
        return bridge;
    }

    String azureAccount() {
        return emulators.azureAccount();
    }

    String blobEndpoint() {
        return emulators.blobEndpoint();
    }

    String container() {
        return CONTAINER;
    }

    String bucket() {
        return BUCKET;
    }

    String awsRegion() {
        return emulators.awsRegion();
    }

    BlobContainerClient blobContainer() {
        return emulators.blobService().getBlobContainerClient(CONTAINER);
    }

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

    @Override
    public void close() {
        bridge.close();
        worker.close();
        emulators.close();
    }
}
