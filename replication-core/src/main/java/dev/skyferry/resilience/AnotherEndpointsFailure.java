package dev.skyferry.resilience;

import java.util.function.Supplier;

/**
 * A failure of a call to one endpoint made from inside a call to another: the S3 pre-signing of a URL
 * for each block an Azure Put Block From URL fetches. It says nothing about the outer endpoint, so
 * {@link ResilientCalls#call} neither records it on that endpoint's breaker nor retries it there (the
 * inner call had its own breaker and retries), and hands on the failure it wraps.
 */
final class AnotherEndpointsFailure extends RuntimeException {

    private AnotherEndpointsFailure(RuntimeException failure) {
        super(null, failure, false, false);
    }

    /** {@code call}, its failures marked as another endpoint's. */
    static <T> Supplier<T> marking(Supplier<T> call) {
        return () -> {
            try {
                return call.get();
            } catch (RuntimeException failure) {
                throw new AnotherEndpointsFailure(failure);
            }
        };
    }

    RuntimeException failure() {
        return (RuntimeException) getCause();
    }
}
