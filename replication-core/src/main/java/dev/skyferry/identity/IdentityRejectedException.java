package dev.skyferry.identity;

import dev.skyferry.store.StoreErrors;

/**
 * The identity provider refused: wrong audience, issuer or trust policy, missing app role
 * assignment, expired secret. Retrying does not help; {@link #hint()} says what to change.
 */
public final class IdentityRejectedException extends RuntimeException
        implements IdentityFailure, StoreErrors.CredentialsRefused {

    private final Side side;
    private final String hint;

    public IdentityRejectedException(Side side, String message, String hint, Throwable cause) {
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
