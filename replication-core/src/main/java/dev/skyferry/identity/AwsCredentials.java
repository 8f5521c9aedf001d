package dev.skyferry.identity;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.IdpCommunicationErrorException;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;

/**
 * Builds the worker's AWS credentials from {@link AwsAuthSettings}. Call once per process, share the
 * provider with every AWS client and close it on shutdown.
 *
 * <p>{@code azure-federated}: the SDK's {@link StsAssumeRoleWithWebIdentityCredentialsProvider}, whose
 * refresh request asks the Entra credential for a fresh token for {@code <audience>/.default} every
 * time; it refreshes in the background ahead of expiry ({@link Refresh#prefetchTime}), and its STS
 * client retries IDPCommunicationError and InvalidIdentityToken "Couldn't retrieve verification key",
 * which the SDK's default policy does not.
 */
public final class AwsCredentials {

    private static final Logger LOG = LoggerFactory.getLogger(AwsCredentials.class);

    private AwsCredentials() {}

    /**
     * When assumed-role credentials are renewed. The SDK's defaults (stale 1 min, prefetch 5 min) suit
     * real sessions (≥ 15 min); tests with 15 s sessions shorten them.
     *
     * @param staleTime      credentials this close to expiry are never handed out: callers block on a refresh
     * @param prefetchTime   from this close to expiry a background refresh starts
     * @param stsMaxAttempts attempts per STS call (first try included)
     */
    public record Refresh(Duration staleTime, Duration prefetchTime, int stsMaxAttempts) {
        public static final Refresh DEFAULT = new Refresh(Duration.ofMinutes(1), Duration.ofMinutes(5), 4);

        public Refresh {
            if (staleTime.isNegative() || prefetchTime.compareTo(staleTime) <= 0) {
                throw new IllegalArgumentException("prefetchTime must exceed staleTime (both ≥ 0), was prefetch "
                        + prefetchTime + ", stale " + staleTime);
            }
            if (stsMaxAttempts < 1) {
                throw new IllegalArgumentException("stsMaxAttempts must be ≥ 1, was " + stsMaxAttempts);
            }
        }
    }

    /** {@link #create(AwsAuthSettings, TokenCredential, Refresh)} with the SDK's refresh timing. */
    public static CloseableAwsCredentialsProvider create(AwsAuthSettings settings, TokenCredential azure) {
        return create(settings, azure, Refresh.DEFAULT);
    }

    /**
     * @param azure the process's Entra credential; used by {@code azure-federated} only (may be null otherwise)
     */
    public static CloseableAwsCredentialsProvider create(AwsAuthSettings settings, TokenCredential azure, Refresh refresh) {
        List<AutoCloseable> resources = new ArrayList<>();
        CloseableAwsCredentialsProvider provider = switch (settings.mode()) {
            case AZURE_FEDERATED -> azureFederated(settings, azure, refresh, resources);
            case WEB_IDENTITY_FILE -> {
                // Not the SDK's StsWebIdentityTokenFileCredentialsProvider: given a refresh request, it
                // sends that request alone (no RoleArn, no RoleSessionName: STS refuses it), and it
                // ignores the async/stale/prefetch settings. The same provider as azure-federated
                // instead, its token read from the file at every refresh (the kubelet rotates it).
                StsClient sts = stsClient(settings, AnonymousCredentialsProvider.create(), refresh.stsMaxAttempts());
                Path tokenFile = settings.webIdentityTokenFile();
                AtomicReference<TokenClaims> lastClaims = new AtomicReference<>();
                var fileProvider = webIdentitySessions(settings, sts, refresh, () -> readToken(tokenFile), lastClaims);
                resources.add(fileProvider);
                resources.add(sts);
                yield new ClassifyingCredentialsProvider(settings.mode(), fileProvider,
                        "STS AssumeRoleWithWebIdentity (token file)", () -> new IdentityHints.Context(null,
                                settings.roleArn(), lastClaims.get(), IdentityHints.WebIdentityToken.TOKEN_FILE), resources);
            }
            case DEFAULT -> {
                var chain = DefaultCredentialsProvider.builder().build();
                resources.add(chain);
                yield new ClassifyingCredentialsProvider(settings.mode(), chain, "AWS default credentials chain",
                        () -> IdentityHints.Context.NONE, resources);
            }
            case STATIC -> {
                LOG.warn("aws.auth.mode is static: a long-lived access key from the configuration. Use it with emulators"
                        + " only; production runs azure-federated, web-identity-file or default.");
                var fixed = StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey().reveal()));
                yield new ClassifyingCredentialsProvider(settings.mode(), fixed, "static credentials",
                        () -> IdentityHints.Context.NONE, resources);
            }
        };
        LOG.info("AWS identity: mode={} roleArn={} region={} stsEndpoint={}", settings.mode(), settings.roleArn(),
                settings.region(), settings.stsEndpoint() == null ? "(regional default)" : settings.stsEndpoint());
        return provider;
    }

    private static CloseableAwsCredentialsProvider azureFederated(AwsAuthSettings settings, TokenCredential azure,
                                                                  Refresh refresh, List<AutoCloseable> resources) {
        if (azure == null) {
            throw new IllegalArgumentException("aws.auth.mode azure-federated needs the Entra credential (azure.auth)");
        }
        // AssumeRoleWithWebIdentity is an unsigned call: the Entra token is the only proof.
        StsClient sts = stsClient(settings, AnonymousCredentialsProvider.create(), refresh.stsMaxAttempts());
        String scope = settings.entraScope();
        AtomicReference<TokenClaims> lastClaims = new AtomicReference<>();
        var provider = webIdentitySessions(settings, sts, refresh, () -> entraToken(azure, scope), lastClaims);
        resources.add(provider);
        resources.add(sts);
        return new ClassifyingCredentialsProvider(settings.mode(), provider, "STS AssumeRoleWithWebIdentity",
                () -> new IdentityHints.Context(settings.audience(), settings.roleArn(), lastClaims.get(),
                        IdentityHints.WebIdentityToken.ENTRA), resources);
    }

    /**
     * Sessions from STS AssumeRoleWithWebIdentity, each with a fresh {@code token}, renewed in the background
     * before they end while callers keep the current one; the claims (never the token) of the last token
     * go to {@code lastClaims}, so that a refusal by STS can be explained.
     */
    private static StsAssumeRoleWithWebIdentityCredentialsProvider webIdentitySessions(AwsAuthSettings settings, StsClient sts,
            Refresh refresh, Supplier<String> token, AtomicReference<TokenClaims> lastClaims) {
        return StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
                .stsClient(sts)
                .refreshRequest(() -> {
                    String current = token.get();
                    lastClaims.set(safeClaims(current));
                    return AssumeRoleWithWebIdentityRequest.builder()
                            .roleArn(settings.roleArn())
                            .roleSessionName(settings.roleSessionName())
                            .durationSeconds((int) settings.sessionDuration().toSeconds())
                            .webIdentityToken(current)
                            .build();
                })
                .asyncCredentialUpdateEnabled(true)
                .staleTime(refresh.staleTime())
                .prefetchTime(refresh.prefetchTime())
                .build();
    }

    /** The projected token, read at every refresh; a failed read (mid-rotation) is tried again later. */
    private static String readToken(Path tokenFile) {
        try {
            return Files.readString(tokenFile).trim();
        } catch (IOException e) {
            throw new IdentityUnavailableException(IdentityFailure.Side.AWS, "cannot read the web identity token file "
                    + tokenFile + ": " + e, "it is projected into the pod by the kubelet; check the volume mount", e);
        }
    }

    /** A fresh-enough Entra token: the credential's cache hands out a cached one until 5 min before its expiry. */
    private static String entraToken(TokenCredential azure, String scope) {
        try {
            AccessToken token = azure.getTokenSync(new TokenRequestContext().addScopes(scope));
            return token.getToken();
        } catch (RuntimeException e) {
            throw IdentityFailures.fromEntra(e, scope, IdentityHints.Context.entraRequest(scope.replace("/.default", "")));
        }
    }

    private static TokenClaims safeClaims(String token) {
        try {
            return TokenClaims.decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * An STS client on the regional endpoint (GetWebIdentityToken is not served by the global one),
     * or {@link AwsAuthSettings#stsEndpoint()} when set, retrying the transient web-identity failures.
     *
     * @param credentials Anonymous for AssumeRoleWithWebIdentity; the worker's own identity for
     *                    GetWebIdentityToken and GetCallerIdentity
     */
    public static StsClient stsClient(AwsAuthSettings settings, AwsCredentialsProvider credentials) {
        return stsClient(settings, credentials, Refresh.DEFAULT.stsMaxAttempts());
    }

    static StsClient stsClient(AwsAuthSettings settings, AwsCredentialsProvider credentials, int maxAttempts) {
        var builder = StsClient.builder()
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(webIdentityRetryStrategy(maxAttempts)));
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        }
        if (settings.stsEndpoint() != null) {
            builder.endpointOverride(settings.stsEndpoint());
        }
        return builder.build();
    }

    /** The SDK's standard strategy plus the two STS errors that are transient for web identity. */
    static RetryStrategy webIdentityRetryStrategy(int maxAttempts) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .retryOnExceptionInstanceOf(IdpCommunicationErrorException.class)
                .retryOnException(AwsCredentials::isVerificationKeyFailure)
                .maxAttempts(maxAttempts)
                .build();
    }

    private static boolean isVerificationKeyFailure(Throwable t) {
        return t instanceof InvalidIdentityTokenException e && e.getMessage() != null
                && e.getMessage().toLowerCase(Locale.ROOT).contains("retrieve verification key");
    }
}
