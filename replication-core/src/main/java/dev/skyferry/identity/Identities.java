package dev.skyferry.identity;

import com.azure.core.credential.TokenCredential;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The worker's two identities, built once at start in the right order: normally Entra first (the
 * AWS side may exchange its token); for a worker on AWS ({@code azure.auth.mode: aws-federated}) AWS
 * first (its identity signs STS GetWebIdentityToken). Close on shutdown.
 */
public final class Identities implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Identities.class);

    private final AzureAuthSettings azureSettings;
    private final AwsAuthSettings awsSettings;
    private final TokenCredential azure;
    private final CloseableAwsCredentialsProvider aws;
    private final StsClient outboundSts;

    private Identities(AzureAuthSettings azureSettings, AwsAuthSettings awsSettings, TokenCredential azure,
                       CloseableAwsCredentialsProvider aws, StsClient outboundSts) {
        this.azureSettings = azureSettings;
        this.awsSettings = awsSettings;
        this.azure = azure;
        this.aws = aws;
        this.outboundSts = outboundSts;
    }

    /**
     * Every problem with the two settings together, paths included: each side's own checks plus the
     * cross-checks of the AWS side federating from the Azure one (which must not federate from AWS in
     * turn, a loop, and must have an Entra identity at all, which shared-key has not).
     */
    public static List<String> validate(AzureAuthSettings.Input azure, AwsAuthSettings.Input aws, Map<String, String> env) {
        List<String> problems = new ArrayList<>(AzureAuthSettings.validate(azure, env));
        problems.addAll(AwsAuthSettings.validate(aws, env));
        if ("azure-federated".equals(trim(aws.mode()))) {
            if ("aws-federated".equals(trim(azure.mode()))) {
                problems.add(circular());
            } else if ("shared-key".equals(trim(azure.mode()))) {
                problems.add(noEntraIdentityToExchange());
            }
        }
        return problems;
    }

    /** Builds both identities (no network call yet: tokens are fetched on first use). */
    public static Identities create(AzureAuthSettings azure, AwsAuthSettings aws, Map<String, String> env) {
        return create(azure, aws, env, AwsCredentials.Refresh.DEFAULT);
    }

    public static Identities create(AzureAuthSettings azure, AwsAuthSettings aws, Map<String, String> env, AwsCredentials.Refresh refresh) {
        return create(azure, aws, env, refresh, null);
    }

    /**
     * As {@link #create(AzureAuthSettings, AwsAuthSettings, Map, AwsCredentials.Refresh)}, for an interactive
     * command: every Entra token request, the AWS side's exchange included, answers within
     * {@code entraAnswerWithin} (see {@link AzureCredentials#create(AzureAuthSettings, Map, StsClient, Duration)}).
     */
    public static Identities create(AzureAuthSettings azure, AwsAuthSettings aws, Map<String, String> env,
                                    AwsCredentials.Refresh refresh, Duration entraAnswerWithin) {
        if (azure.mode() == AzureAuthMode.AWS_FEDERATED && aws.mode() == AwsAuthMode.AZURE_FEDERATED) {
            throw new IdentityConfigException(List.of(circular()));
        }
        if (azure.mode() == AzureAuthMode.SHARED_KEY && aws.mode() == AwsAuthMode.AZURE_FEDERATED) {
            throw new IdentityConfigException(List.of(noEntraIdentityToExchange()));
        }
        if (azure.mode() == AzureAuthMode.SHARED_KEY) {
            LOG.warn("azure.auth.mode is shared-key: the storage account key from the configuration. Use it with"
                    + " emulators only; production runs workload-identity or managed-identity.");
        }
        if (azure.mode() == AzureAuthMode.AWS_FEDERATED) {
            CloseableAwsCredentialsProvider awsCredentials = AwsCredentials.create(aws, null, refresh);
            StsClient outbound = azure.awsTokenSource() == AzureAuthSettings.AwsTokenSource.STS
                    ? AwsCredentials.stsClient(aws, awsCredentials) : null;
            TokenCredential entra = AzureCredentials.create(azure, env, outbound, entraAnswerWithin);
            return new Identities(azure, aws, entra, awsCredentials, outbound);
        }
        TokenCredential entra = azure.mode() == AzureAuthMode.SHARED_KEY ? null
                : AzureCredentials.create(azure, env, null, entraAnswerWithin);
        return new Identities(azure, aws, entra, AwsCredentials.create(aws, entra, refresh), null);
    }

    /** The Entra credential for storage clients; empty with shared-key (use {@link #azureConnectionString()}). */
    public Optional<TokenCredential> azure() {
        return Optional.ofNullable(azure);
    }

    /** The emulator connection string of shared-key mode. */
    public Optional<Secret> azureConnectionString() {
        return Optional.ofNullable(azureSettings.connectionString());
    }

    /** AWS credentials for every AWS client. */
    public CloseableAwsCredentialsProvider aws() {
        return aws;
    }

    public AzureAuthSettings azureSettings() {
        return azureSettings;
    }

    public AwsAuthSettings awsSettings() {
        return awsSettings;
    }

    @Override
    public void close() {
        aws.close();
        if (outboundSts != null) {
            outboundSts.close();
        }
    }

    private static String circular() {
        return "azure.auth.mode: aws-federated cannot be combined with aws.auth.mode azure-federated: each identity"
                + " would need the other first; on AWS use aws.auth.mode default or web-identity-file";
    }

    private static String noEntraIdentityToExchange() {
        return "aws.auth.mode: azure-federated cannot be combined with azure.auth.mode shared-key: a storage"
                + " account key is no Entra identity, so there is no token to exchange at STS; use aws.auth.mode"
                + " static or default with the emulators";
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }
}
