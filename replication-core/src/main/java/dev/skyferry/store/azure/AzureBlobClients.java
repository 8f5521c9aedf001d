package dev.skyferry.store.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the container clients an {@link AzureBlobStore} runs on. Where credentials come from
 * (workload identity, managed identity, a shared key for Azurite) is the identity package's
 * business; this class only wires a credential to an endpoint.
 *
 * <p>The SDK's own retries are switched off: Skyferry retries each store call in one place
 * (resilience package) and then by queue redelivery — two layers, counted in
 * {@code skyferry_store_retries_total}. A third, invisible layer inside the SDK would multiply
 * attempts and hide throttling from the metrics.
 */
public final class AzureBlobClients {

    /** One attempt per call; the resilience layer decides about the next. */
    static final RequestRetryOptions NO_SDK_RETRIES =
            new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 1, (java.time.Duration) null, null, null, null);

    private AzureBlobClients() {}

    /**
     * A container client authenticated by an Entra token (workload / managed identity).
     *
     * @param blobEndpoint e.g. {@code https://contosobackup.blob.core.windows.net}
     */
    public static BlobContainerClient container(String blobEndpoint, String containerName, TokenCredential credential) {
        Objects.requireNonNull(credential, "credential");
        return builder(blobEndpoint, containerName).credential(credential).buildClient();
    }

    /** A container client authenticated by the account's shared key (Azurite and tests only). */
    public static BlobContainerClient container(String blobEndpoint, String containerName, StorageSharedKeyCredential sharedKey) {
        Objects.requireNonNull(sharedKey, "sharedKey");
        return builder(blobEndpoint, containerName).credential(sharedKey).buildClient();
    }

    private static BlobContainerClientBuilder builder(String blobEndpoint, String containerName) {
        if (blobEndpoint == null || blobEndpoint.isBlank()) {
            throw new IllegalArgumentException("blobEndpoint must not be blank, was '" + blobEndpoint + "'");
        }
        if (containerName == null || containerName.isBlank()) {
            throw new IllegalArgumentException("containerName must not be blank, was '" + containerName + "'");
        }
        if (blobEndpoint.contains("?")) {
            // A SAS in the endpoint would end up in logs and provenance URIs; credentials come separately.
            throw new IllegalArgumentException("blobEndpoint must not carry a query string (SAS); pass a credential instead");
        }
        return new BlobContainerClientBuilder()
                .endpoint(blobEndpoint)
                .containerName(containerName)
                .retryOptions(NO_SDK_RETRIES);
    }

    /**
     * {@code container} over the same pipeline with a {@link BlockListMd5Policy} in front, whichever
     * builder made it (the store adds it itself, so no client can miss it).
     */
    static BlobContainerClient withBlockListMd5(BlobContainerClient container) {
        HttpPipeline pipeline = container.getHttpPipeline();
        List<HttpPipelinePolicy> policies = new ArrayList<>(pipeline.getPolicyCount() + 1);
        for (int i = 0; i < pipeline.getPolicyCount(); i++) {
            if (pipeline.getPolicy(i) instanceof BlockListMd5Policy) {
                return container;
            }
            policies.add(pipeline.getPolicy(i));
        }
        policies.addFirst(new BlockListMd5Policy());
        HttpPipeline withMd5 = new HttpPipelineBuilder()
                .httpClient(pipeline.getHttpClient())
                .tracer(pipeline.getTracer())
                .policies(policies.toArray(HttpPipelinePolicy[]::new))
                .build();
        return sameContainer(container, withMd5).buildClient();
    }

    /**
     * The async client over the same pipeline (credentials, policies) as {@code container}: downloads
     * use it because only the async API streams a body while exposing the response headers.
     */
    static BlobContainerAsyncClient asyncTwin(BlobContainerClient container) {
        return sameContainer(container, container.getHttpPipeline()).buildAsyncClient();
    }

    private static BlobContainerClientBuilder sameContainer(BlobContainerClient container, HttpPipeline pipeline) {
        BlobContainerClientBuilder builder = new BlobContainerClientBuilder()
                .pipeline(pipeline)
                .endpoint(container.getBlobContainerUrl())
                .serviceVersion(container.getServiceVersion());
        if (container.getEncryptionScope() != null) {
            builder.encryptionScope(container.getEncryptionScope());
        }
        return builder;
    }
}
