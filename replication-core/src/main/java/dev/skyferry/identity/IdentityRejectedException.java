package dev.skyferry.identity;

import dev.skyferry.store.StoreErrors;

/**
 * The identity provider refused: wrong audience, issuer or trust policy, missing app role
 * assignment, expired secret. Retrying does not help; {@link #hint()} says what to change.
 */
public final class IdentityRejectedException extends IdentityFailure implements StoreErrors.CredentialsRefused {

    public IdentityRejectedException(Side side, String message, String hint, Throwable cause) {
        super(side, message, hint, cause);
    }
}
