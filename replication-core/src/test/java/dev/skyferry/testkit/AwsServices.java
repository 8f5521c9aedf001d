package dev.skyferry.testkit;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;

/**
 * The AWS side of a test environment: the in-JVM emulators ({@link Emulators}) or LocalStack
 * ({@link LocalStackAws}). Tests written against this run on both.
 */
public interface AwsServices {

    URI s3Endpoint();

    URI sqsEndpoint();

    String awsRegion();

    String awsAccessKeyId();

    String awsSecretAccessKey();

    /** Path-style, request checksums and response validation WHEN_REQUIRED; owned by this object, don't close it. */
    S3Client s3Client();

    /** Owned by this object, don't close it. */
    SqsClient sqsClient();
}
