package dev.skyferry.identity;

/**
 * A failure to obtain an identity (an Entra token or AWS credentials), as thrown by the credentials
 * this package builds. Never carries a token. {@link IdentityUnavailableException} is transient (the
 * issuer, STS or the network had a bad moment; retry), {@link IdentityRejectedException} is a
 * configuration or permission problem that retrying will not fix.
 */
public abstract sealed class IdentityFailure extends RuntimeException
        permits IdentityUnavailableException, IdentityRejectedException {

    /** Which side failed: Entra ID (Azure) or AWS STS. */
    public enum Side { AZURE, AWS }

    private final Side side;
    private final String withoutHint;
    private final String hint;

    IdentityFailure(Side side, String message, String hint, Throwable cause) {
        super(hint == null ? message : message + " — " + hint, cause);
        this.side = side;
        this.withoutHint = message;
        this.hint = hint;
    }

    public Side side() {
        return side;
    }

    /** What failed, without the {@link #hint()} that {@link #getMessage()} adds to it. */
    public String withoutHint() {
        return withoutHint;
    }

    /** What to change to fix it, or null when the failure is not a known one. */
    public String hint() {
        return hint;
    }
}
