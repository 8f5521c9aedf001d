package dev.skyferry.identity;

/**
 * A failure to obtain an identity (an Entra token or AWS credentials), as thrown by the credentials
 * this package builds. Never carries a token. {@link IdentityUnavailableException} is transient (the
 * issuer, STS or the network had a bad moment; retry), {@link IdentityRejectedException} is a
 * configuration or permission problem that retrying will not fix.
 */
public sealed interface IdentityFailure permits IdentityUnavailableException, IdentityRejectedException {

    /** Which side failed: Entra ID (Azure) or AWS STS. */
    enum Side { AZURE, AWS }

    Side side();

    /** What to change to fix it, or null when the failure is not a known one. */
    String hint();
}
