package dev.skyferry.app.config;

import dev.skyferry.copy.CopySettings;
import dev.skyferry.queue.AzureQueueSettings;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration file, as documented in docs/configuration.md. Bound by {@link ConfigLoader}
 * from YAML plus {@code SKYFERRY_*} environment overrides; every setting left out takes the default
 * named here. Semantic checks live in {@link ConfigValidator}, and in core for the identities and the
 * rule set (gathered by {@code Wiring.problems}).
 */
public record SkyferryConfig(
        Azure azure,
        Aws aws,
        List<Source> sources,
        List<Rule> rules,
        Copy copy,
        Retry retry,
        CircuitBreaker circuitBreaker,
        Worker worker,
        Logging logging) {

    public SkyferryConfig {
        azure = azure == null ? new Azure(null, null) : azure;
        aws = aws == null ? new Aws(null, null, null, null, null, null, null) : aws;
        sources = sources == null ? List.of() : List.copyOf(sources);
        rules = rules == null ? List.of() : List.copyOf(rules);
        copy = copy == null ? new Copy(null, null, null, null, null, null) : copy;
        retry = retry == null ? new Retry(null, null, null, null, null) : retry;
        circuitBreaker = circuitBreaker == null ? new CircuitBreaker(null, null, null) : circuitBreaker;
        worker = worker == null ? new Worker(null, null) : worker;
        logging = logging == null ? new Logging(null, null) : logging;
    }

    public record Azure(AzureAuth auth, List<AzureAccount> accounts) {
        public Azure {
            auth = auth == null ? new AzureAuth(null, null, null, null, null, null, null, null, null, null, null) : auth;
            accounts = accounts == null ? List.of() : List.copyOf(accounts);
        }
    }

    public record AzureAuth(String mode, String tenantId, String clientId, String authorityHost,
                            String federatedTokenFile, String clientSecret, String certificatePath,
                            String certificatePassword, String awsTokenSource, String awsTokenFile,
                            String connectionString) {
        public static final String DEFAULT_MODE = "default";

        public AzureAuth {
            mode = mode == null ? DEFAULT_MODE : mode;
        }
    }

    /** @param blobEndpoint  default {@code https://<name>.blob.core.windows.net}
     *  @param queueEndpoint default {@code https://<name>.queue.core.windows.net} */
    public record AzureAccount(String name, String blobEndpoint, String queueEndpoint) {
        public String blobEndpointOrDefault() {
            return blobEndpoint != null ? blobEndpoint : "https://" + name + ".blob.core.windows.net";
        }

        public String queueEndpointOrDefault() {
            return queueEndpoint != null ? queueEndpoint : "https://" + name + ".queue.core.windows.net";
        }
    }

    /**
     * @param s3ConditionalWrites whether the S3 endpoint refuses a write whose If-None-Match / If-Match does
     *                            not hold, so a new replica can be written without a HEAD first. Default:
     *                            true for AWS (enforced since 2024-08), false with an {@code endpoints.s3}
     *                            (S3-compatible servers differ; an ignored If-None-Match would let an older
     *                            replica overwrite a newer object)
     * @param s3ChecksPayloadHashes whether the S3 endpoint refuses a body that does not match its signed
     *                            {@code x-amz-content-sha256}. Matters over plain HTTP only, where the SDK
     *                            signs bodies: then parts are sent without a Content-MD5, hashed once
     *                            instead of twice. Default: true for AWS, false with an {@code endpoints.s3}
     *                            (some S3-compatible servers do not recompute the hash)
     */
    public record Aws(String region, String partition, AwsAuth auth, AwsEndpoints endpoints, Boolean s3PathStyle,
                      Boolean s3ConditionalWrites, Boolean s3ChecksPayloadHashes) {
        public static final String DEFAULT_PARTITION = "aws";

        public Aws {
            partition = partition == null ? DEFAULT_PARTITION : partition;
            auth = auth == null ? new AwsAuth(null, null, null, null, null, null, null, null) : auth;
            endpoints = endpoints == null ? new AwsEndpoints(null, null, null) : endpoints;
            s3PathStyle = s3PathStyle != null && s3PathStyle;
            s3ConditionalWrites = s3ConditionalWrites != null ? s3ConditionalWrites : endpoints.s3() == null;
            s3ChecksPayloadHashes = s3ChecksPayloadHashes != null ? s3ChecksPayloadHashes : endpoints.s3() == null;
        }
    }

    public record AwsAuth(String mode, String roleArn, String roleSessionName, String audience,
                          Integer durationSeconds, String webIdentityTokenFile, String accessKeyId,
                          String secretAccessKey) {
        public static final String DEFAULT_MODE = "default";
        public static final String DEFAULT_SESSION_NAME = "skyferry";
        public static final int DEFAULT_DURATION_SECONDS = 3600;

        public AwsAuth {
            mode = mode == null ? DEFAULT_MODE : mode;
            roleSessionName = roleSessionName == null ? DEFAULT_SESSION_NAME : roleSessionName;
            durationSeconds = durationSeconds == null ? DEFAULT_DURATION_SECONDS : durationSeconds;
        }
    }

    /** Each unset (or empty) means the region's AWS endpoint. */
    public record AwsEndpoints(String sts, String s3, String sqs) {
        public AwsEndpoints {
            sts = unsetIfBlank(sts);
            s3 = unsetIfBlank(s3);
            sqs = unsetIfBlank(sqs);
        }

        private static String unsetIfBlank(String url) {
            return url == null || url.isBlank() ? null : url;
        }
    }

    /**
     * A queue to consume: {@code type: azure-queue} (account + queue) or {@code type: sqs} (queueUrl).
     * Azure queues have no long polling, so an idle one is polled from {@code minPollInterval},
     * doubling up to {@code maxPollInterval} (null: the defaults of {@link AzureQueueSettings}).
     */
    public record Source(String name, String type, String account, String queue, String poisonQueue,
                         Integer maxDequeueCount, Duration visibilityTimeout, String queueUrl,
                         String deadLetterQueueUrl, Duration minPollInterval, Duration maxPollInterval) {
        public static final String AZURE_QUEUE = "azure-queue";
        public static final String SQS = "sqs";
        public static final int DEFAULT_MAX_DEQUEUE_COUNT = 5;
        public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(60);

        public Source {
            visibilityTimeout = visibilityTimeout == null ? DEFAULT_VISIBILITY_TIMEOUT : visibilityTimeout;
        }

        /** Azure queues only: an SQS queue's redrive policy counts its deliveries. */
        public int maxDequeueCountOrDefault() {
            return maxDequeueCount != null ? maxDequeueCount : DEFAULT_MAX_DEQUEUE_COUNT;
        }

        public Duration minPollIntervalOrDefault() {
            return minPollInterval != null ? minPollInterval : AzureQueueSettings.DEFAULT_MIN_POLL_INTERVAL;
        }

        public Duration maxPollIntervalOrDefault() {
            return maxPollInterval != null ? maxPollInterval : AzureQueueSettings.DEFAULT_MAX_POLL_INTERVAL;
        }

        /** The Azure Functions convention: {@code <queue>-poison}. */
        public String poisonQueueOrDefault() {
            return poisonQueue != null ? poisonQueue : queue + "-poison";
        }
    }

    public record Rule(String name, RuleAzure azure, RuleS3 s3, String direction, Filter include, Filter exclude,
                       String deletes, String invalidMetadata, Boolean copyTags, S3Target s3Target,
                       AzureTarget azureTarget) {
        public static final String DEFAULT_DIRECTION = "both";
        public static final String DEFAULT_DELETES = "ignore";
        public static final String DEFAULT_INVALID_METADATA = "rename";

        public Rule {
            direction = direction == null ? DEFAULT_DIRECTION : direction;
            include = include == null ? new Filter(null, null) : include;
            exclude = exclude == null ? new Filter(null, null) : exclude;
            deletes = deletes == null ? DEFAULT_DELETES : deletes;
            invalidMetadata = invalidMetadata == null ? DEFAULT_INVALID_METADATA : invalidMetadata;
            copyTags = copyTags != null && copyTags;
            s3Target = s3Target == null ? new S3Target(null, null, null) : s3Target;
            azureTarget = azureTarget == null ? new AzureTarget(null, null) : azureTarget;
        }
    }

    public record RuleAzure(String account, String container, String prefix) {}

    public record RuleS3(String bucket, String prefix) {}

    public record Filter(List<String> prefixes, List<String> suffixes) {
        public Filter {
            prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
            suffixes = suffixes == null ? List.of() : List.copyOf(suffixes);
        }
    }

    public record S3Target(String storageClass, String serverSideEncryption, String kmsKeyId) {}

    public record AzureTarget(String accessTier, String encryptionScope) {}

    /** @param memoryBudget null when unset: then {@link #memoryBudgetFor} derives it from the heap */
    public record Copy(DataSize partSize, Integer partsInFlightPerObject, Integer readStreamsPerObject,
                       Integer maxCopiesInFlight, DataSize memoryBudget, String s3ToAzureMode) {
        public static final DataSize DEFAULT_PART_SIZE = DataSize.ofMebibytes(8);
        public static final int DEFAULT_PARTS_IN_FLIGHT = CopySettings.DEFAULT_PARTS_IN_FLIGHT;
        public static final int DEFAULT_READ_STREAMS = CopySettings.DEFAULT_READ_STREAMS;
        public static final int DEFAULT_MAX_COPIES_IN_FLIGHT = 16;
        /** The unset budget's cap; below it, {@link #DEFAULT_HEAP_SHARE} of the heap. */
        public static final DataSize DEFAULT_MEMORY_BUDGET = DataSize.ofMebibytes(256);
        /** Leaves the SDKs and the JVM most of the heap, well inside the 60% a set budget may take. */
        public static final double DEFAULT_HEAP_SHARE = 0.4;
        public static final String DEFAULT_S3_TO_AZURE_MODE = "auto";

        public Copy {
            partSize = partSize == null ? DEFAULT_PART_SIZE : partSize;
            partsInFlightPerObject = partsInFlightPerObject == null ? DEFAULT_PARTS_IN_FLIGHT : partsInFlightPerObject;
            readStreamsPerObject = readStreamsPerObject == null ? DEFAULT_READ_STREAMS : readStreamsPerObject;
            maxCopiesInFlight = maxCopiesInFlight == null ? DEFAULT_MAX_COPIES_IN_FLIGHT : maxCopiesInFlight;
            s3ToAzureMode = s3ToAzureMode == null ? DEFAULT_S3_TO_AZURE_MODE : s3ToAzureMode;
        }

        /**
         * The budget for part buffers in a JVM whose heap may grow to {@code maxHeapBytes}: the configured
         * one, else {@link #DEFAULT_HEAP_SHARE} of the heap in whole MiB, at most {@link #DEFAULT_MEMORY_BUDGET}
         * and at least one part.
         */
        public DataSize memoryBudgetFor(long maxHeapBytes) {
            if (memoryBudget != null) {
                return memoryBudget;
            }
            long share = (long) (maxHeapBytes * DEFAULT_HEAP_SHARE) / (1024 * 1024) * (1024 * 1024);
            return new DataSize(Math.max(partSize.bytes(), Math.min(DEFAULT_MEMORY_BUDGET.bytes(), share)));
        }

        /** The engine's copy settings in a JVM whose heap may grow to {@code maxHeapBytes}. */
        public CopySettings settingsFor(long maxHeapBytes) {
            return new CopySettings(partSize.bytes(), partsInFlightPerObject, readStreamsPerObject,
                    memoryBudgetFor(maxHeapBytes).bytes(),
                    CopySettings.S3ToAzureMode.parse(s3ToAzureMode));
        }
    }

    public record Retry(Integer maxAttempts, Duration initialBackoff, Duration maxBackoff,
                        Duration redeliveryDelay, Duration maxRedeliveryDelay) {
        public Retry {
            maxAttempts = maxAttempts == null ? 4 : maxAttempts;
            initialBackoff = initialBackoff == null ? Duration.ofMillis(200) : initialBackoff;
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(10) : maxBackoff;
            redeliveryDelay = redeliveryDelay == null ? Duration.ofSeconds(30) : redeliveryDelay;
            maxRedeliveryDelay = maxRedeliveryDelay == null ? Duration.ofMinutes(15) : maxRedeliveryDelay;
        }
    }

    public record CircuitBreaker(Integer failureRateThreshold, Integer slidingWindowSize, Duration waitInOpenState) {
        public CircuitBreaker {
            failureRateThreshold = failureRateThreshold == null ? 50 : failureRateThreshold;
            slidingWindowSize = slidingWindowSize == null ? 20 : slidingWindowSize;
            waitInOpenState = waitInOpenState == null ? Duration.ofSeconds(30) : waitInOpenState;
        }
    }

    public record Worker(Duration drainGrace, Http http) {
        public static final Duration DEFAULT_DRAIN_GRACE = Duration.ofSeconds(25);

        public Worker {
            drainGrace = drainGrace == null ? DEFAULT_DRAIN_GRACE : drainGrace;
            http = http == null ? new Http(null) : http;
        }
    }

    public record Http(Integer port) {
        public static final int DEFAULT_PORT = 8080;

        public Http {
            port = port == null ? DEFAULT_PORT : port;
        }
    }

    public record Logging(String format, String level) {
        public Logging {
            format = format == null ? "json" : format;
            level = level == null ? "INFO" : level;
        }
    }
}
