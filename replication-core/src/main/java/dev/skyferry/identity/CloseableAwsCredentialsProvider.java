package dev.skyferry.identity;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The worker's AWS credentials: hand it to every AWS client and close it on shutdown (it owns a
 * background refresh thread and an STS client). Failures are {@link IdentityFailure}s.
 */
public interface CloseableAwsCredentialsProvider extends AwsCredentialsProvider, SdkAutoCloseable {

    /** The mode it was built for, for logs and {@code skyferry check}. */
    AwsAuthMode mode();
}
