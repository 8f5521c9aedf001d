package dev.skyferry.identity;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * Wraps the SDK credential so every failure surfaces as an {@link IdentityFailure} (transient or
 * rejected, with a hint) wherever the token is used: storage clients, the STS exchange, check.
 */
final class ClassifyingTokenCredential implements TokenCredential {

    private final TokenCredential delegate;
    private final String description;
    private final Duration answerWithin;

    /**
     * @param answerWithin how long a token request may take before it fails as unavailable; null: as long
     *                     as the SDK's own retries take (minutes against an endpoint that never answers)
     */
    ClassifyingTokenCredential(TokenCredential delegate, String description, Duration answerWithin) {
        this.delegate = delegate;
        this.description = description;
        this.answerWithin = answerWithin;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        Mono<AccessToken> token = delegate.getToken(request);
        if (answerWithin != null) {
            token = token.timeout(answerWithin, Mono.error(this::noAnswer));
        }
        return token.onErrorMap(e -> classify(e, request));
    }

    /**
     * Raised as azure-identity raises a failed token request (no HTTP response): a sync storage client keeps
     * only the cause of the {@link IdentityFailure} it gets, and this is what
     * {@link IdentityFailures#ofStorageTokenRequest} recognises there.
     */
    private ClientAuthenticationException noAnswer() {
        return new ClientAuthenticationException("no token for " + description, null,
                new TimeoutException("no answer within " + answerWithin.toSeconds() + " s"));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        if (answerWithin != null) {
            // The SDK's sync request cannot be abandoned midway; its async one can.
            return getToken(request).block();
        }
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
