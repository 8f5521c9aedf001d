package dev.skyferry.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.store.StoreException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

class StsGuardedCredentialsTest {

    @Test
    void credentialsThatCannotBeObtainedOpenTheStsBreakerAndFailFastThen() {
        ResilientCalls calls = new ResilientCalls(RetrySettings.DEFAULTS,
                new EndpointBreakers(new CircuitBreakerSettings(50, 4, Duration.ofMinutes(1))), RetryObserver.NONE);
        AtomicBoolean stsDown = new AtomicBoolean();
        AtomicInteger stsCalls = new AtomicInteger();
        AwsCredentialsProvider identity = () -> {
            stsCalls.incrementAndGet();
            if (stsDown.get()) {
                throw new UncheckedIOException(new java.io.IOException("sts.eu-west-1.amazonaws.com: connection refused"));
            }
            return AwsBasicCredentials.create("AKIDEXAMPLE", "secret");
        };
        StsGuardedCredentials guarded = new StsGuardedCredentials(identity, calls);

        assertThat(guarded.resolveCredentials().accessKeyId()).isEqualTo("AKIDEXAMPLE");
        stsDown.set(true);
        for (int i = 0; i < 3; i++) { // with the success before: 3 of 4 calls failed
            assertThatThrownBy(guarded::resolveCredentials).isInstanceOf(SdkClientException.class)
                    .hasCauseInstanceOf(UncheckedIOException.class);
        }

        assertThat(calls.breakers().breaker(Endpoint.STS).getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int before = stsCalls.get();
        assertThatThrownBy(guarded::resolveCredentials)
                .isInstanceOfSatisfying(SdkClientException.class, e -> {
                    assertThat(((StoreException) e.getCause()).errorCode()).isEqualTo(ResilientCalls.CIRCUIT_OPEN);
                    assertThat(FailureClassifier.isTransient(e)).isTrue();
                });
        assertThat(stsCalls).hasValue(before);
    }
}
