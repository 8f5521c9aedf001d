package dev.skyferry.identity;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import reactor.core.publisher.Mono;

/**
 * Wraps the SDK credential so every failure surfaces as an {@link IdentityFailure} (transient or
 * rejected, with a hint) wherever the token is used: storage clients, the STS exchange, check.
 */
final class ClassifyingTokenCredential implements TokenCredential {

    private final TokenCredential delegate;
    private final String description;

    ClassifyingTokenCredential(TokenCredential delegate, String description) {
        this.delegate = delegate;
        this.description = description;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return delegate.getToken(request).onErrorMap(e -> classify(e, request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        try {
            return delegate.getTokenSync(request);
        } catch (RuntimeException e) {
            throw classify(e, request);
        }
    }

    private RuntimeException classify(Throwable failure, TokenRequestContext request) {
        String scopes = String.join(" ", request.getScopes());
        String audience = scopes.endsWith("/.default") ? scopes.substring(0, scopes.length() - "/.default".length()) : scopes;
        return IdentityFailures.fromEntra(failure, scopes, IdentityHints.Context.entraRequest(audience));
    }

    @Override
    public String toString() {
        return description;
    }
}
