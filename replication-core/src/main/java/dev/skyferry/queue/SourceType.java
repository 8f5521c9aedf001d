package dev.skyferry.queue;

import dev.skyferry.resilience.Endpoint;
import java.util.Set;

/**
 * The kinds of queue Skyferry consumes, each with the endpoints handling its events needs. While the
 * breaker of any of these endpoints is open, the worker takes no messages from such a source: they
 * wait safely in the queue instead of failing one by one.
 */
public enum SourceType {

    /**
     * Event Grid blob events in an Azure Storage Queue, replicated azure-to-s3: consume the queue,
     * read the blob, write to S3 with AWS credentials from STS (the Entra token exchange).
     */
    AZURE_QUEUE(Endpoint.AZURE_QUEUE, Set.of(Endpoint.AZURE_QUEUE, Endpoint.AZURE_BLOB, Endpoint.S3, Endpoint.STS)),

    /**
     * S3 notifications in SQS, replicated s3-to-azure: consume the queue and read the object with
     * AWS credentials from STS, write the blob.
     */
    SQS(Endpoint.SQS, Set.of(Endpoint.SQS, Endpoint.S3, Endpoint.STS, Endpoint.AZURE_BLOB));

    private final Endpoint queueEndpoint;
    private final Set<Endpoint> requiredEndpoints;

    SourceType(Endpoint queueEndpoint, Set<Endpoint> requiredEndpoints) {
        this.queueEndpoint = queueEndpoint;
        this.requiredEndpoints = requiredEndpoints;
    }

    /** The endpoint the queue itself lives on. */
    public Endpoint queueEndpoint() {
        return queueEndpoint;
    }

    /** Every endpoint that must be up to handle this source's events. */
    public Set<Endpoint> requiredEndpoints() {
        return requiredEndpoints;
    }
}
