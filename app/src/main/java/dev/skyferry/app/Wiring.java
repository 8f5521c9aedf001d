package dev.skyferry.app;

import com.azure.core.credential.TokenCredential;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import dev.skyferry.app.config.DataSize;
import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.identity.AwsAuthSettings;
import dev.skyferry.identity.AwsCredentials;
import dev.skyferry.identity.AzureAuthSettings;
import dev.skyferry.identity.CloseableAwsCredentialsProvider;
import dev.skyferry.identity.Identities;
import dev.skyferry.queue.SqsDeleteBatcher;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.ResilientObjectStore;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.resilience.StsGuardedCredentials;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.InvalidRuleSetException;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.azure.AzureBlobClients;
import dev.skyferry.store.azure.AzureBlobStore;
import dev.skyferry.store.s3.S3ClientOptions;
import dev.skyferry.store.s3.S3Clients;
import dev.skyferry.store.s3.S3Store;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Everything built from a {@link SkyferryConfig} that more than one command needs: the two
 * identities, the SDK clients, the rule set and the (resilient) stores. One instance per process;
 * closing it closes the clients and stops credential refresh.
 */
public final class Wiring implements AutoCloseable {

    /** Part buffers may take at most this share of the heap; the SDKs and the JVM need the rest. */
    static final double MAX_HEAP_SHARE_FOR_BUFFERS = 0.6;

    private final SkyferryConfig config;
    private final Identities identities;
    private final TokenCredential azureCredential;
    private final StorageSharedKeyCredential sharedKey;
    private final CloseableAwsCredentialsProvider awsCredentials;
    private final AwsCredentialsProvider guardedAwsCredentials;
    private final RuleSet rules;
    private final ResilientCalls calls;
    private final Map<String, ObjectStore> stores = new ConcurrentHashMap<>();
    private volatile S3Client s3;
    private volatile S3Presigner presigner;
    private volatile SqsClient sqs;
    private volatile SqsAsyncClient sqsAsync;
    private volatile SqsDeleteBatcher sqsDeletes;

    private Wiring(SkyferryConfig config, Map<String, String> env, RetryObserver retryObserver, Duration entraAnswerWithin) {
        this.config = config;
        this.rules = RuleSet.of(rules(config));
        // Identities builds the two sides in the order the modes need (aws-federated Azure needs AWS first).
        this.identities = Identities.create(AzureAuthSettings.resolve(azureInput(config), env),
                AwsAuthSettings.resolve(awsInput(config), env), env, AwsCredentials.Refresh.DEFAULT, entraAnswerWithin);
        this.azureCredential = identities.azure().orElse(null);
        this.sharedKey = identities.azureConnectionString()
                .map(secret -> StorageSharedKeyCredential.fromConnectionString(secret.reveal())).orElse(null);
        this.awsCredentials = identities.aws();
        this.calls = new ResilientCalls(retrySettings(config), new EndpointBreakers(breakerSettings(config)), retryObserver);
        // Credential refreshes go through the sts breaker, so an STS or Entra outage pauses consumption.
        this.guardedAwsCredentials = new StsGuardedCredentials(awsCredentials, calls);
    }

    /**
     * What is wrong with a bound config where it runs, beyond the file's own checks: the identity
     * settings against the environment, the rules as a set, and the memory budget against this JVM's
     * heap. Each command passes these to {@link dev.skyferry.app.config.ConfigLoader}, which lists them
     * with the file's problems, so a bad config fails one start with every problem, not a round each.
     * Tolerates a config the file's checks refuse: each of its problems is reported once, by one check.
     */
    public static List<String> problems(SkyferryConfig config, Map<String, String> env, long maxHeapBytes) {
        List<String> problems = new ArrayList<>(Identities.validate(azureInput(config), awsInput(config), env));
        try {
            RuleSet.of(rules(config));
        } catch (InvalidRuleSetException e) {
            problems.addAll(e.problems());
        }
        DataSize budget = config.copy().memoryBudgetFor(maxHeapBytes);
        if (budget.bytes() > maxHeapBytes * MAX_HEAP_SHARE_FOR_BUFFERS) {
            problems.add("copy.memoryBudget: " + budget + " does not fit this JVM's heap (" + new DataSize(maxHeapBytes)
                    + "); keep it at most " + (int) (MAX_HEAP_SHARE_FOR_BUFFERS * 100) + "% of -Xmx / MaxRAMPercentage");
        }
        return problems;
    }

    /** Builds from a config {@link #problems} found nothing wrong with. */
    public static Wiring create(SkyferryConfig config, Map<String, String> env, RetryObserver retryObserver) {
        return create(config, env, retryObserver, null);
    }

    /**
     * @param entraAnswerWithin for an interactive command: how long an Entra token request may take before it
     *                          fails as unavailable; null for the SDK's own retries (the worker)
     */
    public static Wiring create(SkyferryConfig config, Map<String, String> env, RetryObserver retryObserver,
                                Duration entraAnswerWithin) {
        return new Wiring(config, env, retryObserver, entraAnswerWithin);
    }

    public SkyferryConfig config() {
        return config;
    }

    public RuleSet rules() {
        return rules;
    }

    public ResilientCalls calls() {
        return calls;
    }

    /** The Entra credential, or null with {@code shared-key}. */
    public TokenCredential azureCredential() {
        return azureCredential;
    }

    public CloseableAwsCredentialsProvider awsCredentials() {
        return awsCredentials;
    }

    public Identities identities() {
        return identities;
    }

    /** The resilient store for a configured rule side; the same instance on every call. */
    public ObjectStore store(StoreKind kind, String account, String container) {
        String key = kind + "/" + (account == null ? "" : account) + "/" + container;
        return stores.computeIfAbsent(key, k -> ResilientObjectStore.wrap(rawStore(kind, account, container), calls));
    }

    /** Every store the rules name, for readiness probes and `check`. */
    public List<ObjectStore> ruleStores() {
        List<ObjectStore> all = new ArrayList<>();
        for (ReplicationRule rule : rules.rules()) {
            all.add(store(StoreKind.AZURE_BLOB, rule.azure().account(), rule.azure().container()));
            all.add(store(StoreKind.S3, null, rule.s3().bucket()));
        }
        return all.stream().distinct().toList();
    }

    private ObjectStore rawStore(StoreKind kind, String account, String container) {
        return kind == StoreKind.S3
                ? new S3Store(s3(), presigner(), container,
                        new S3Store.EndpointChecks(config.aws().s3ConditionalWrites(), config.aws().s3ChecksPayloadHashes()))
                : new AzureBlobStore(blobContainer(account, container));
    }

    /** The SDK client of a container, authenticated as the worker (for stores and `check`'s probes). */
    public BlobContainerClient blobContainer(String account, String container) {
        String endpoint = account(account).blobEndpointOrDefault();
        return sharedKey != null
                ? AzureBlobClients.container(endpoint, container, sharedKey)
                : AzureBlobClients.container(endpoint, container, azureCredential);
    }

    /** A queue client reading and writing message text as stored (the parser handles base64 and raw). */
    public QueueClient azureQueue(String account, String queueName) {
        QueueClientBuilder builder = new QueueClientBuilder()
                .endpoint(account(account).queueEndpointOrDefault())
                .queueName(queueName)
                .messageEncoding(QueueMessageEncoding.NONE)
                // Retries are ours (ResilientCalls), visible in metrics and breakers.
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, (Integer) null, null, null, null));
        return (sharedKey != null ? builder.credential(sharedKey) : builder.credential(azureCredential)).buildClient();
    }

    public S3Client s3() {
        if (s3 == null) {
            synchronized (this) {
                if (s3 == null) {
                    s3 = S3Clients.client(s3Options());
                }
            }
        }
        return s3;
    }

    private S3Presigner presigner() {
        if (presigner == null) {
            synchronized (this) {
                if (presigner == null) {
                    presigner = S3Clients.presigner(s3Options());
                }
            }
        }
        return presigner;
    }

    public SqsClient sqs() {
        if (sqs == null) {
            synchronized (this) {
                if (sqs == null) {
                    // The socket must outlast the 20 s long poll.
                    sqs = sqsBase(SqsClient.builder())
                            .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(Duration.ofSeconds(35)))
                            .build();
                }
            }
        }
        return sqs;
    }

    /** Deletes of settled SQS messages, batched; one batcher for every SQS source. */
    public SqsDeleteBatcher sqsDeletes() {
        if (sqsDeletes == null) {
            synchronized (this) {
                if (sqsDeletes == null) {
                    // The SDK batches only on its async client. It carries deletes only: one event-loop
                    // thread, and the JDK's TLS rather than loading BoringSSL's native library for it
                    // (about 5 MiB of RSS measured over plain HTTP).
                    sqsAsync = sqsBase(SqsAsyncClient.builder())
                            .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                                    .sslProvider(SslProvider.JDK)
                                    .eventLoopGroupBuilder(SdkEventLoopGroup.builder().numberOfThreads(1)))
                            .build();
                    sqsDeletes = new SqsDeleteBatcher(sqsAsync);
                }
            }
        }
        return sqsDeletes;
    }

    /** What both SQS clients share: region, identity, the endpoint override, and no SDK retries under ours. */
    private <B extends AwsClientBuilder<B, ?>> B sqsBase(B builder) {
        builder.region(Region.of(config.aws().region()))
                .credentialsProvider(guardedAwsCredentials)
                // Retries are ours (ResilientCalls), visible in metrics and breakers.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (config.aws().endpoints().sqs() != null) {
            builder.endpointOverride(URI.create(config.aws().endpoints().sqs()));
        }
        return builder;
    }

    private S3ClientOptions s3Options() {
        var aws = config.aws();
        URI endpoint = aws.endpoints().s3() == null ? null : URI.create(aws.endpoints().s3());
        return new S3ClientOptions(aws.region(), endpoint, aws.s3PathStyle(), guardedAwsCredentials,
                S3ClientOptions.Checksums.WHEN_REQUIRED, S3ClientOptions.DEFAULT_MAX_CONNECTIONS);
    }

    private SkyferryConfig.AzureAccount account(String name) {
        return config.azure().accounts().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Azure account '" + name + "' is not under azure.accounts"));
    }

    // ---- config → core settings -------------------------------------------------------------

    private static AzureAuthSettings.Input azureInput(SkyferryConfig c) {
        var a = c.azure().auth();
        return new AzureAuthSettings.Input(a.mode(), a.tenantId(), a.clientId(), a.authorityHost(), a.federatedTokenFile(),
                a.clientSecret(), a.certificatePath(), a.certificatePassword(), a.awsTokenSource(), a.awsTokenFile(),
                a.connectionString());
    }

    private static AwsAuthSettings.Input awsInput(SkyferryConfig c) {
        var a = c.aws().auth();
        return new AwsAuthSettings.Input(a.mode(), a.roleArn(), a.roleSessionName(), a.audience(), a.durationSeconds(),
                a.webIdentityTokenFile(), a.accessKeyId(), a.secretAccessKey(), c.aws().region(), c.aws().partition(),
                c.aws().endpoints().sts());
    }

    static RetrySettings retrySettings(SkyferryConfig c) {
        var r = c.retry();
        return new RetrySettings(r.maxAttempts(), r.initialBackoff(), r.maxBackoff(), r.redeliveryDelay(), r.maxRedeliveryDelay());
    }

    private static CircuitBreakerSettings breakerSettings(SkyferryConfig c) {
        var b = c.circuitBreaker();
        return new CircuitBreakerSettings(b.failureRateThreshold(), b.slidingWindowSize(), b.waitInOpenState());
    }

    static List<ReplicationRule> rules(SkyferryConfig c) {
        List<ReplicationRule> rules = new ArrayList<>();
        for (SkyferryConfig.Rule r : c.rules()) {
            String account = r.azure() == null ? null : r.azure().account();
            // The config may be one the file's checks refused (an account without a name, say): problems() reads it too.
            String blobEndpoint = c.azure().accounts().stream().filter(a -> account != null && account.equals(a.name()))
                    .map(SkyferryConfig.AzureAccount::blobEndpoint).filter(Objects::nonNull).findFirst().orElse(null);
            rules.add(new ReplicationRule(
                    r.name(),
                    new ReplicationRule.AzureSide(account, r.azure() == null ? null : r.azure().container(),
                            r.azure() == null ? null : r.azure().prefix(), blobEndpoint),
                    new ReplicationRule.S3Side(r.s3() == null ? null : r.s3().bucket(), r.s3() == null ? null : r.s3().prefix()),
                    configEnum(ReplicationRule.Direction.class, r.direction()),
                    new ReplicationRule.KeyFilter(r.include().prefixes(), r.include().suffixes(),
                            r.exclude().prefixes(), r.exclude().suffixes()),
                    configEnum(ReplicationRule.DeletePolicy.class, r.deletes()),
                    configEnum(ReplicationRule.InvalidMetadataPolicy.class, r.invalidMetadata()),
                    new TargetOptions(r.s3Target().storageClass(), r.s3Target().serverSideEncryption(),
                            r.s3Target().kmsKeyId(), null, null),
                    new TargetOptions(null, null, null, r.azureTarget().accessTier(), r.azureTarget().encryptionScope()),
                    r.copyTags()));
        }
        return rules;
    }

    /**
     * The constant a config spelling names ({@code azure-to-s3} → {@code AZURE_TO_S3}), or null for a
     * spelling that names none: {@link #problems} checks configs that may hold one (RuleSet reports a
     * direction it gets as null, ConfigValidator the other policies).
     */
    private static <E extends Enum<E>> E configEnum(Class<E> type, String configValue) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(configValue)) {
                return constant;
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (sqsDeletes != null) {
            sqsDeletes.close(); // sends the deletes still gathered
            sqsAsync.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        if (presigner != null) {
            presigner.close();
        }
        if (s3 != null) {
            s3.close();
        }
        identities.close();
    }
}
