package dev.skyferry.resilience;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * AWS credentials whose every resolution is judged by the {@code sts} breaker: wrap the identity's
 * provider with this before handing it to the S3 and SQS clients.
 *
 * <p>The SDK's STS providers cache credentials and refresh them ahead of expiry, returning the cached
 * ones when a refresh fails; resolutions therefore only fail once no usable credentials can be had —
 * when every S3 and SQS call fails too. Those failures (transient ones, per {@link FailureClassifier})
 * open the breaker, the worker pauses every source that needs {@code sts}, and readiness says so.
 * While it is open, resolutions fail fast with a transient {@code CircuitOpen} failure (as the cause
 * of the SdkClientException every failure is handed to the SDK in).
 *
 * <p>The Entra token behind it is fetched by the Azure SDK inside the blob and queue clients; its
 * failures count against the {@code azure-blob} and {@code azure-queue} breakers, which every
 * source needs as well.
 */
public final class StsGuardedCredentials implements AwsCredentialsProvider {

    private final AwsCredentialsProvider delegate;
    private final ResilientCalls calls;

    public StsGuardedCredentials(AwsCredentialsProvider delegate, ResilientCalls calls) {
        this.delegate = delegate;
        this.calls = calls;
    }

    /**
     * @throws SdkClientException whatever the failure, with it as the cause: the SDK lets interceptors
     *         replace a failure only by one of the same class, and its HelpfulUnknownHostExceptionInterceptor
     *         replaces any whose causes hold an UnknownHostException (a DNS blip on the way to Entra or STS)
     *         by an SdkClientException; from anything else it made an IllegalArgumentException without the
     *         cause, and a transient identity failure was dead-lettered as a bad request.
     */
    @Override
    public AwsCredentials resolveCredentials() {
        try {
            return calls.callOnce(Endpoint.STS, delegate::resolveCredentials);
        } catch (SdkClientException e) {
            throw e;
        } catch (RuntimeException e) {
            throw SdkClientException.create("no AWS credentials: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "sts-guarded(" + delegate + ")";
    }
}
