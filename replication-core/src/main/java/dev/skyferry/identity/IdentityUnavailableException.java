package dev.skyferry.identity;

import dev.skyferry.resilience.FailureClassifier;

/**
 * The identity provider could not be reached or answered with a transient error (5xx, throttling,
 * STS IDPCommunicationError, "Couldn't retrieve verification key"): worth retrying.
 * {@link FailureClassifier#isTransient} sees it through the {@link FailureClassifier.TransientFailure} marker.
 */
public final class IdentityUnavailableException extends IdentityFailure implements FailureClassifier.TransientFailure {

    public IdentityUnavailableException(Side side, String message, String hint, Throwable cause) {
        super(side, message, hint, cause);
    }
}
