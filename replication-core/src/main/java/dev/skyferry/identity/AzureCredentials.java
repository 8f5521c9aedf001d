package dev.skyferry.identity;

import com.azure.core.credential.TokenCredential;
import com.azure.core.util.Configuration;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.identity.AadCredentialBuilderBase;
import com.azure.identity.ClientAssertionCredentialBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds the worker's one Entra ID credential from {@link AzureAuthSettings}.
 *
 * <p>Call once per process and share the instance: the SDK credentials cache tokens per instance and
 * refresh them ahead of expiry (azure-identity TOKEN_CACHING.md), so a credential per client would
 * multiply token requests. Every failure of the returned credential is an {@link IdentityFailure}.
 */
public final class AzureCredentials {

    /** The audience Entra expects on a federated client assertion. */
    public static final String TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
    /** Lifetime asked of STS GetWebIdentityToken; Entra only needs the assertion for the exchange. */
    static final int AWS_ASSERTION_SECONDS = 300;

    /**
     * Entra's own clouds (public, US Gov, China). Instance discovery validates these; any other
     * authority (Azure Stack, a local issuer) must be used with discovery off.
     */
    private static final Set<String> ENTRA_HOSTS = Set.of("login.microsoftonline.com", "login.microsoftonline.us",
            "login.chinacloudapi.cn", "login.partner.microsoftonline.cn");

    private static final Logger LOG = LoggerFactory.getLogger(AzureCredentials.class);

    private AzureCredentials() {}

    /**
     * The credential for every mode except {@code shared-key} (no token; use the connection string) and
     * {@code aws-federated} with {@code awsTokenSource: sts} (needs an STS client; use the overload).
     *
     * @param env the process environment (System.getenv() in production); DefaultAzureCredential reads
     *            its AZURE_* variables from it
     */
    public static TokenCredential create(AzureAuthSettings settings, Map<String, String> env) {
        return create(settings, env, null);
    }

    /**
     * As {@link #create(AzureAuthSettings, Map)}, with the STS client an {@code aws-federated} worker
     * uses for GetWebIdentityToken (signed with the worker's own AWS identity, on a regional endpoint;
     * see {@link AwsCredentials#stsClient}).
     */
    public static TokenCredential create(AzureAuthSettings settings, Map<String, String> env, StsClient awsSts) {
        return create(settings, env, awsSts, null);
    }

    /**
     * As {@link #create(AzureAuthSettings, Map, StsClient)}, for an interactive command ({@code check}): every
     * token request answers within {@code answerWithin}, failing as unavailable rather than waiting out the
     * SDK's own retries, which take minutes against an endpoint that never answers. The worker passes null:
     * its token requests take as long as those retries, under its own retry and breaker policy.
     */
    public static TokenCredential create(AzureAuthSettings settings, Map<String, String> env, StsClient awsSts,
                                         Duration answerWithin) {
        TokenCredential credential = switch (settings.mode()) {
            case WORKLOAD_IDENTITY -> entra(new WorkloadIdentityCredentialBuilder()
                    .tokenFilePath(settings.federatedTokenFile().toString()), settings, env).build();
            case MANAGED_IDENTITY -> {
                var builder = new ManagedIdentityCredentialBuilder().configuration(configuration(env));
                if (settings.clientId() != null) {
                    builder.clientId(settings.clientId());
                }
                yield builder.build();
            }
            case DEFAULT -> {
                var builder = new DefaultAzureCredentialBuilder()
                        .configuration(configuration(env))
                        .authorityHost(settings.authorityHost().toString());
                if (settings.tenantId() != null) {
                    builder.tenantId(settings.tenantId());
                }
                if (settings.clientId() != null) {
                    builder.managedIdentityClientId(settings.clientId()).workloadIdentityClientId(settings.clientId());
                }
                if (!isEntraCloud(settings)) {
                    builder.disableInstanceDiscovery();
                }
                yield builder.build();
            }
            case CLIENT_SECRET -> entra(new ClientSecretCredentialBuilder()
                    .clientSecret(settings.clientSecret().reveal()), settings, env).build();
            case CLIENT_CERTIFICATE -> {
                var builder = new ClientCertificateCredentialBuilder();
                String path = settings.certificatePath().toString();
                if (AzureAuthSettings.isPfx(path)) {
                    builder.pfxCertificate(path);
                    if (settings.certificatePassword() != null) {
                        builder.clientCertificatePassword(settings.certificatePassword().reveal());
                    }
                } else {
                    builder.pemCertificate(path);
                }
                yield entra(builder, settings, env).build();
            }
            case AWS_FEDERATED -> entra(new ClientAssertionCredentialBuilder()
                    .clientAssertion(awsAssertion(settings, awsSts)), settings, env).build();
            case SHARED_KEY -> throw new IllegalArgumentException("azure.auth.mode shared-key has no token credential:"
                    + " build the storage clients from azure.auth.connectionString");
        };
        LOG.info("Azure identity: mode={} tenantId={} clientId={} authorityHost={}", settings.mode(),
                settings.tenantId(), settings.clientId() == null ? "(system-assigned or SDK default)" : settings.clientId(),
                settings.authorityHost());
        return new ClassifyingTokenCredential(credential, "Entra credential (" + settings.mode() + ")", answerWithin);
    }

    private static <T extends AadCredentialBuilderBase<T>> T entra(T builder, AzureAuthSettings settings, Map<String, String> env) {
        builder.configuration(configuration(env))
                .tenantId(settings.tenantId())
                .clientId(settings.clientId())
                .authorityHost(settings.authorityHost().toString());
        if (!isEntraCloud(settings)) {
            builder.disableInstanceDiscovery();
        }
        return builder;
    }

    private static boolean isEntraCloud(AzureAuthSettings settings) {
        return ENTRA_HOSTS.contains(settings.authorityHost().getHost().toLowerCase(Locale.ROOT));
    }

    private static Supplier<String> awsAssertion(AzureAuthSettings settings, StsClient awsSts) {
        if (settings.awsTokenSource() == AzureAuthSettings.AwsTokenSource.FILE) {
            Path file = settings.awsTokenFile();
            // Re-read on every exchange: the projected token is rotated by the kubelet.
            return () -> readToken(file);
        }
        if (awsSts == null) {
            throw new IllegalArgumentException("azure.auth.mode aws-federated with awsTokenSource sts needs an STS client"
                    + " signed by the worker's AWS identity: use AzureCredentials.create(settings, env, stsClient)");
        }
        return () -> {
            try {
                return awsSts.getWebIdentityToken(r -> r.audience(TOKEN_EXCHANGE_AUDIENCE)
                                .signingAlgorithm("RS256") // Entra's token exchange accepts RS256 only
                                .durationSeconds(AWS_ASSERTION_SECONDS))
                        .webIdentityToken();
            } catch (RuntimeException e) {
                throw IdentityFailures.fromSts(e, "STS GetWebIdentityToken", IdentityHints.Context.NONE);
            }
        };
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IdentityUnavailableException(IdentityFailure.Side.AWS, "could not read the AWS token file " + file,
                    "check the projected service-account token volume", new UncheckedIOException(e));
        }
    }

    private static Configuration configuration(Map<String, String> env) {
        return new ConfigurationBuilder(ignored -> Map.of(), ignored -> Map.of(), ignored -> env).build();
    }
}
