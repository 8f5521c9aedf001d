package dev.skyferry.testkit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;

/** Builds SDK clients pointed at emulators. The caller owns (and closes) what it builds. */
public final class AwsClients {

    private AwsClients() {
    }

    /**
     * Path-style (emulators have no per-bucket host names) and checksums only WHEN_REQUIRED: the SDK's
     * default CRC trailers on every request are not understood by S3Proxy.
     */
    public static S3Client s3(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        return on(S3Client.builder(), endpoint, region, accessKeyId, secretAccessKey)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    public static SqsClient sqs(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        return on(SqsClient.builder(), endpoint, region, accessKeyId, secretAccessKey)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    /** The async client {@link dev.skyferry.queue.SqsDeleteBatcher} batches on. */
    public static SqsAsyncClient sqsAsync(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        return on(SqsAsyncClient.builder(), endpoint, region, accessKeyId, secretAccessKey)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .build();
    }

    /** Any AWS client builder pointed at an emulator with static keys. */
    public static <B extends AwsClientBuilder<B, ?>> B on(B builder, URI endpoint, String region, String accessKeyId,
                                                          String secretAccessKey) {
        return builder.endpointOverride(endpoint)
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
    }
}
