package dev.skyferry.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;

/**
 * S3 and SQS in LocalStack, through Testcontainers: the same {@link AwsServices} shape as the in-JVM
 * emulators, so AWS-side tests can run against both. Needs a Docker engine; check {@link #dockerAvailable()}
 * first and skip with {@link #NO_DOCKER_REASON}.
 */
public final class LocalStackAws implements AwsServices, AutoCloseable {

    /** The reason a LocalStack test reports when it is skipped. */
    public static final String NO_DOCKER_REASON = "no Docker engine: LocalStack tests skipped";

    /** Pinned: newer LocalStack images need an account token; this one runs S3 and SQS without. */
    static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4.0");

    private final LocalStackContainer container;
    private S3Client s3Client;
    private SqsClient sqsClient;

    private LocalStackAws(LocalStackContainer container) {
        this.container = container;
    }

    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Starts a LocalStack container with S3 and SQS; close() removes it. */
    public static LocalStackAws start() {
        LocalStackContainer container = new LocalStackContainer(IMAGE)
                .withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.SQS);
        container.start();
        return new LocalStackAws(container);
    }

    @Override
    public URI s3Endpoint() {
        return container.getEndpoint();
    }

    @Override
    public URI sqsEndpoint() {
        return container.getEndpoint();
    }

    @Override
    public String awsRegion() {
        return container.getRegion();
    }

    @Override
    public String awsAccessKeyId() {
        return container.getAccessKey();
    }

    @Override
    public String awsSecretAccessKey() {
        return container.getSecretKey();
    }

    @Override
    public synchronized S3Client s3Client() {
        if (s3Client == null) {
            s3Client = AwsClients.s3(s3Endpoint(), awsRegion(), awsAccessKeyId(), awsSecretAccessKey());
        }
        return s3Client;
    }

    @Override
    public synchronized SqsClient sqsClient() {
        if (sqsClient == null) {
            sqsClient = AwsClients.sqs(sqsEndpoint(), awsRegion(), awsAccessKeyId(), awsSecretAccessKey());
        }
        return sqsClient;
    }

    @Override
    public synchronized void close() {
        if (s3Client != null) {
            s3Client.close();
        }
        if (sqsClient != null) {
            sqsClient.close();
        }
        container.stop();
    }
}
