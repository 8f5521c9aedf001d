package dev.skyferry.identity;

import dev.skyferry.resilience.FailureClassifier;

/**
 * The identity provider could not be reached or answered with a transient error (5xx, throttling,
 * STS IDPCommunicationError, "Couldn't retrieve verification key"): worth retrying.
 * {@link FailureClassifier#isTransient} sees it through the {@link FailureClassifier.TransientFailure} marker.
 */
public final class IdentityUnavailableException extends RuntimeException
        implements IdentityFailure, FailureClassifier.TransientFailure {

    private final Side side;
    private final String hint;

    public IdentityUnavailableException(Side side, String message, String hint, Throwable cause) {
        super(hint == null ? message : message + " — " + hint, cause);
        this.side = side;
        this.hint = hint;
    }

    @Override
    public Side side() {
        return side;
    }

    @Override
    public String hint() {
        return hint;
    }
}
