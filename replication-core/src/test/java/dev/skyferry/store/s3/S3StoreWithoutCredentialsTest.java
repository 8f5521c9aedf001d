package dev.skyferry.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyferry.identity.IdentityFailure;
import dev.skyferry.identity.IdentityRejectedException;
import dev.skyferry.identity.IdentityUnavailableException;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.resilience.StsGuardedCredentials;
import dev.skyferry.store.StoreException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * S3 calls that fail because no credentials can be had, through the client as Wiring builds it (the
 * identity's provider behind the sts breaker): the identity's verdict must reach the outcome. No request
 * is sent, so the endpoint needs nothing listening.
 */
class S3StoreWithoutCredentialsTest {

    private static final URI NOTHING_LISTENS = URI.create("http://127.0.0.1:9");

    private static StoreException statFailure(AwsCredentialsProvider identity) {
        ResilientCalls calls = new ResilientCalls(RetrySettings.DEFAULTS,
                new EndpointBreakers(new CircuitBreakerSettings(50, 20, Duration.ofSeconds(30))), RetryObserver.NONE);
        S3ClientOptions options = new S3ClientOptions("eu-west-1", NOTHING_LISTENS, true,
                new StsGuardedCredentials(identity, calls), null, 4);
        try (var client = S3Clients.client(options); var presigner = S3Clients.presigner(options)) {
            S3Store store = new S3Store(client, presigner, "bucket", new S3Store.EndpointChecks(false, false));
            return catchThrowableOfType(StoreException.class, () -> store.stat("a.txt"));
        }
    }

    @Test
    void anIdentityUnreachableForWantOfDnsIsTransientNotABadRequest() {
        // Entra or STS unresolvable for a moment: the SDK's HelpfulUnknownHostExceptionInterceptor looks at this chain.
        StoreException failure = statFailure(() -> {
            throw new IdentityUnavailableException(IdentityFailure.Side.AWS, "STS AssumeRoleWithWebIdentity failed", null,
                    SdkClientException.create("Received an UnknownHostException",
                            new UnknownHostException("sts.eu-west-1.amazonaws.com")));
        });

        assertThat(failure.kind()).as(failure.getMessage()).isEqualTo(StoreException.Kind.UNAVAILABLE);
        assertThat(FailureClassifier.isTransient(failure)).isTrue();
    }

    @Test
    void anIdentityUnreachableOtherwiseIsTransientAndARefusedOneIsForbidden() {
        StoreException unreachable = statFailure(() -> {
            throw new IdentityUnavailableException(IdentityFailure.Side.AWS, "STS down", null,
                    new ConnectException("Connection refused"));
        });
        StoreException refused = statFailure(() -> {
            throw new IdentityRejectedException(IdentityFailure.Side.AWS, "AccessDenied: not authorized", "trust policy",
                    null);
        });

        assertThat(unreachable.kind()).isEqualTo(StoreException.Kind.UNAVAILABLE);
        assertThat(refused.kind()).isEqualTo(StoreException.Kind.FORBIDDEN);
        assertThat(refused.getMessage()).contains("credentials refused");
    }
}
