package dev.skyferry.store.s3;

import java.net.URI;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Builds the S3 client and pre-signer an {@link S3Store} runs on, from {@link S3ClientOptions}.
 *
 * <p>The SDK's own retries are switched off: Skyferry retries each store call in one place
 * (resilience package) and then by queue redelivery — two layers, counted in
 * {@code skyferry_store_retries_total}. The SDK still learns its clock offset from a
 * RequestTimeTooSkewed answer, so the next attempt (ours) is signed with the corrected time.
 */
public final class S3Clients {

    private S3Clients() {}

    public static S3Client client(S3ClientOptions options) {
        boolean whenRequired = options.checksums() == S3ClientOptions.Checksums.WHEN_REQUIRED;
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(options.region()))
                .credentialsProvider(options.credentials())
                .forcePathStyle(options.pathStyle())
                .requestChecksumCalculation(whenRequired
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(whenRequired
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED)
                // Explicit, because more than one HTTP implementation is on the classpath.
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(options.maxConnections()))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        }
        if (isPlainHttp(options.endpoint())) {
            // Over plain HTTP the SDK signs the payload. In aws-chunked encoding that is a SHA-256 and an
            // HMAC per 128 KiB chunk and framing the server must parse; unchunked it is one SHA-256 of the
            // body, which the SDK can take because every body Skyferry sends is already in memory. Over
            // HTTPS the payload is not signed, so nothing changes there.
            builder.serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
        }
        return builder.build();
    }

    /** Whether {@code endpoint} (null: AWS's own, HTTPS) is plain HTTP, where the SDK signs every body. */
    static boolean isPlainHttp(URI endpoint) {
        return endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme());
    }

    /** Signs GETs locally with the same credentials, region, endpoint and addressing as {@link #client}. */
    public static S3Presigner presigner(S3ClientOptions options) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(options.region()))
                .credentialsProvider(options.credentials())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(options.pathStyle()).build());
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        }
        return builder.build();
    }
}
