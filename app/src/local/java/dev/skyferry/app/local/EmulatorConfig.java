package dev.skyferry.app.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skyferry.testkit.Emulators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings a user would write in skyferry.yaml, pointed at a set of emulators: one two-way rule
 * between a container and a bucket, one Azure queue and one SQS queue. Used by {@code skyferry local},
 * the fault suite and the benchmarks, which run the real worker against the emulators.
 */
public final class EmulatorConfig {

    private final Emulators emulators;
    /** The names of the two sources, as the worker's logs and metrics label them. */
    public static final String AZURE_SOURCE = "azure-events";
    public static final String S3_SOURCE = "s3-events";

    private final ObjectNode root;

    /**
     * @param container  Azure container (the rule's Azure side)
     * @param bucket     S3 bucket (the rule's S3 side)
     * @param azureQueue Azure queue carrying Event Grid events (its poison queue is {@code <queue>-poison})
     * @param sqsQueueUrl SQS queue carrying S3 notifications
     * @param sqsDlqUrl  its dead-letter queue
     */
    public EmulatorConfig(Emulators emulators, String container, String bucket, String azureQueue,
                          String sqsQueueUrl, String sqsDlqUrl) {
        this.emulators = emulators;
        root = new ObjectMapper().createObjectNode();
        ObjectNode azure = root.putObject("azure");
        azure.putObject("auth").put("mode", "shared-key").put("connectionString", emulators.azureConnectionString());
        azure.putArray("accounts").addObject()
                .put("name", emulators.azureAccount())
                .put("blobEndpoint", emulators.blobEndpoint())
                .put("queueEndpoint", emulators.queueEndpoint());
        ObjectNode aws = root.putObject("aws");
        aws.put("region", emulators.awsRegion());
        aws.put("s3PathStyle", true);
        aws.put("s3ConditionalWrites", true); // S3Proxy (2.8 and later) refuses a PutObject under If-None-Match: *
        aws.put("s3ChecksPayloadHashes", true); // S3Proxy refuses a body that does not match x-amz-content-sha256
        aws.putObject("auth").put("mode", "static")
                .put("accessKeyId", emulators.awsAccessKeyId())
                .put("secretAccessKey", emulators.awsSecretAccessKey());
        aws.putObject("endpoints").put("s3", emulators.s3Endpoint().toString()).put("sqs", emulators.sqsEndpoint().toString());
        var sources = root.putArray("sources");
        sources.addObject().put("name", AZURE_SOURCE).put("type", "azure-queue")
                .put("account", emulators.azureAccount()).put("queue", azureQueue).put("visibilityTimeout", "30s");
        sources.addObject().put("name", S3_SOURCE).put("type", "sqs")
                .put("queueUrl", sqsQueueUrl).put("deadLetterQueueUrl", sqsDlqUrl).put("visibilityTimeout", "30s");
        ObjectNode rule = root.putArray("rules").addObject();
        rule.put("name", "local").put("direction", "both");
        rule.putObject("azure").put("account", emulators.azureAccount()).put("container", container);
        rule.putObject("s3").put("bucket", bucket);
        root.putObject("worker").put("drainGrace", "5s").putObject("http").put("port", 0);
        root.putObject("logging").put("format", "text").put("level", "WARN");
    }

    /** The tree, to adjust before use (e.g. {@code withObject("/worker/http").put("port", 8080)}). */
    public ObjectNode tree() {
        return root;
    }

    public Emulators emulators() {
        return emulators;
    }

    /** Writes the config as YAML, for a worker started as its own process. */
    public Path writeTo(Path file) {
        try {
            Files.writeString(file, new ObjectMapper(new YAMLFactory()).writeValueAsString(root));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
