package dev.skyferry.app.bench;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.skyferry.testkit.AwsClients;
import dev.skyferry.testkit.Emulators;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where a tool reaches the two object stores: the emulators directly, or a counting proxy in front
 * of each. Passed to the raw loop's process as arguments.
 *
 * @param blobEndpoint e.g. {@code http://127.0.0.1:10000/devstoreaccount1}
 */
record StoreEndpoints(String blobEndpoint, URI s3Endpoint, String awsRegion, String awsAccessKeyId,
                      String awsSecretAccessKey) {

    static StoreEndpoints of(Emulators emulators) {
        return new StoreEndpoints(emulators.blobEndpoint(), emulators.s3Endpoint(), emulators.awsRegion(),
                emulators.awsAccessKeyId(), emulators.awsSecretAccessKey());
    }

    StoreEndpoints through(URI blobProxy, URI s3Proxy) {
        return new StoreEndpoints(blobProxy + "/" + Emulators.AZURE_ACCOUNT, s3Proxy, awsRegion, awsAccessKeyId,
                awsSecretAccessKey);
    }

    BlobServiceClient blobService() {
        return new BlobServiceClientBuilder().endpoint(blobEndpoint)
                .credential(new StorageSharedKeyCredential(Emulators.AZURE_ACCOUNT, Emulators.AZURE_ACCOUNT_KEY))
                .buildClient();
    }

    S3Client s3() {
        return AwsClients.s3(s3Endpoint, awsRegion, awsAccessKeyId, awsSecretAccessKey);
    }

    List<String> toArgs() {
        return List.of(blobEndpoint, s3Endpoint.toString(), awsRegion, awsAccessKeyId, awsSecretAccessKey);
    }

    static StoreEndpoints fromArgs(String[] args, int from) {
        return new StoreEndpoints(args[from], URI.create(args[from + 1]), args[from + 2], args[from + 3], args[from + 4]);
    }
}
