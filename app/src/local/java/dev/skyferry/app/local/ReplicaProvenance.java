package dev.skyferry.app.local;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobStorageException;
import dev.skyferry.plan.Provenance;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether a replica exists with its source's size, and the source's ETag and MD5 in its provenance
 * metadata — what {@code skyferry local --seed} and the lag benchmark wait for or check afterwards.
 */
public final class ReplicaProvenance {

    private ReplicaProvenance() {}

    /** The replica in S3 of a blob. */
    public static boolean inS3(S3Client s3, String bucket, String key, long bytes, String sourceEtag, String sourceMd5Base64) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
            return matches(head.contentLength(), head.metadata(), bytes, sourceEtag, sourceMd5Base64);
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** The replica in Azure of an S3 object. */
    public static boolean inAzure(BlobContainerClient container, String key, long bytes, String sourceEtag,
                                  String sourceMd5Base64) {
        try {
            var properties = container.getBlobClient(key).getProperties();
            return matches(properties.getBlobSize(), properties.getMetadata(), bytes, sourceEtag, sourceMd5Base64);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static boolean matches(long size, Map<String, String> metadata, long bytes, String sourceEtag,
                                   String sourceMd5Base64) {
        return size == bytes
                && sourceEtag.equals(metadata.get(Provenance.SOURCE_ETAG))
                && sourceMd5Base64.equals(metadata.get(Provenance.SOURCE_MD5));
    }
}
