package dev.skyferry.store.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How to reach S3 (or an S3-compatible endpoint). Validated when built; every problem is listed.
 *
 * @param region         e.g. {@code eu-west-1}; required even for S3-compatible endpoints (SigV4 signs it)
 * @param endpoint       null for AWS's regional endpoint; an override for S3Proxy, MinIO, VPC endpoints
 * @param pathStyle      path-style addressing ({@code endpoint/bucket/key}); emulators need it
 * @param credentials    from the identity package (web identity, static for emulators)
 * @param checksums      see {@link Checksums}
 * @param maxConnections HTTP connection pool size; at least parts-in-flight × copies-in-flight
 */
public record S3ClientOptions(String region, URI endpoint, boolean pathStyle, AwsCredentialsProvider credentials,
                              Checksums checksums, int maxConnections) {

    /** Enough for the default 16 copies × 4 parts in flight, plus HEADs and listings. */
    public static final int DEFAULT_MAX_CONNECTIONS = 96;

    /**
     * When the SDK adds its own flexible checksums (CRC32 trailers on uploads, validation on downloads).
     *
     * <p>Default {@link #WHEN_REQUIRED}, for real AWS too: every PutObject and UploadPart Skyferry sends
     * carries a checksum that S3 checks on receipt — a Content-MD5 (BadDigest on mismatch), or for parts
     * over plain HTTP the signed SHA-256 of the body — and the copier compares the bytes it reads with
     * the source's MD5 where there is one, so the SDK's CRC32 would be a second hash of the same bytes
     * that protects nothing more. It would also switch uploads to aws-chunked encoding
     * with trailers, which S3-compatible servers (S3Proxy, older MinIO and Ceph) reject. Operations
     * whose API requires a checksum (DeleteObjects, ...) still get one. S3 itself computes a CRC64NVME
     * for every new object regardless (its default data integrity protection since Dec 2024).
     * {@link #WHEN_SUPPORTED} is there for buckets whose policy demands SDK checksums.
     */
    public enum Checksums { WHEN_REQUIRED, WHEN_SUPPORTED }

    public S3ClientOptions {
        List<String> problems = new ArrayList<>();
        if (region == null || region.isBlank()) {
            problems.add("region must not be blank, was '" + region + "'");
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
            problems.add("endpoint must be an absolute http(s) URI, was '" + endpoint + "'");
        }
        if (endpoint != null && endpoint.getRawQuery() != null) {
            problems.add("endpoint must not carry a query string, was '" + endpoint.getScheme() + "://" + endpoint.getHost() + "...?'");
        }
        if (credentials == null) {
            problems.add("credentials must not be null");
        }
        if (maxConnections < 1) {
            problems.add("maxConnections must be >= 1, was " + maxConnections);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid S3 client options: " + String.join("; ", problems));
        }
        checksums = checksums == null ? Checksums.WHEN_REQUIRED : checksums;
    }

    /** AWS's regional endpoint, virtual-hosted addressing, default checksums and pool size. */
    public static S3ClientOptions aws(String region, AwsCredentialsProvider credentials) {
        return new S3ClientOptions(region, null, false, credentials, Checksums.WHEN_REQUIRED, DEFAULT_MAX_CONNECTIONS);
    }

    /** An S3-compatible endpoint (S3Proxy, MinIO) with path-style addressing. */
    public static S3ClientOptions compatible(String region, URI endpoint, AwsCredentialsProvider credentials) {
        return new S3ClientOptions(region, endpoint, true, credentials, Checksums.WHEN_REQUIRED, DEFAULT_MAX_CONNECTIONS);
    }
}
