package dev.skyferry.resilience;

import dev.skyferry.store.StoreKind;

/**
 * The remote services Skyferry depends on, one circuit breaker each. The ids are the breaker names
 * ({@code resilience4j_circuitbreaker_state{name=...}}) and the {@code endpoint} label of
 * {@code skyferry_store_retries_total}, as documented in docs/configuration.md.
 */
public enum Endpoint {
    AZURE_BLOB("azure-blob"),
    AZURE_QUEUE("azure-queue"),
    S3("s3"),
    SQS("sqs"),
    /** AWS STS and the Entra token it is exchanged for: the token path of the secretless identity. */
    STS("sts");

    private final String id;

    Endpoint(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The endpoint an object store of this kind talks to. */
    public static Endpoint of(StoreKind kind) {
        return kind == StoreKind.AZURE_BLOB ? AZURE_BLOB : S3;
    }

    @Override
    public String toString() {
        return id;
    }
}
