package dev.skyferry.app.config;

import dev.skyferry.app.config.SkyferryConfig.Rule;
import dev.skyferry.app.config.SkyferryConfig.Source;
import dev.skyferry.identity.AwsAuthMode;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.worker.WorkerSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cross-field and value checks on a bound {@link SkyferryConfig}. Every problem is reported with its
 * path and the bad value, so a user fixes their file in one go. What core checks itself is left to it:
 * the identity settings (Identities, against the environment) and the rules as a set (RuleSet); the
 * commands have {@link ConfigLoader} list those problems with these.
 */
final class ConfigValidator {

    static final Set<String> DELETE_POLICIES = Set.of("ignore", "propagate", "tombstone");
    static final Set<String> INVALID_METADATA_POLICIES = Set.of("exclude", "fail", "rename");
    static final Set<String> S3_TO_AZURE_MODES = Set.of("auto", "server-side", "stream");
    static final Set<String> SSE_TYPES = Set.of("AES256", "aws:kms", "aws:kms:dsse");
    static final Set<String> ACCESS_TIERS = Set.of("Hot", "Cool", "Cold", "Archive");
    /** Storage classes S3 neither reads nor copies onto itself until the object is restored. */
    private static final Set<String> ARCHIVE_STORAGE_CLASSES = Set.of("GLACIER", "DEEP_ARCHIVE");
    static final Set<String> LOG_FORMATS = Set.of("json", "text");
    static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    /** S3 parts are at least 5 MiB; a part is one Java array in memory, so at most 2000 MiB (below Azure's 4000 MiB block). */
    static final long MIN_PART_SIZE = 5L << 20;
    static final long MAX_PART_SIZE = 2000L << 20;
    /** SQS caps a message's total invisibility at 12 h. */
    static final Duration MAX_VISIBILITY = Duration.ofHours(12);

    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER_NAME = Pattern.compile("(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    private static final Pattern QUEUE_NAME = CONTAINER_NAME;
    private static final Pattern BUCKET_NAME = Pattern.compile("(?!.*\\.\\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    /** AWS identities whose own settings (AwsAuthSettings) require aws.region, saying what for. */
    private static final Set<AwsAuthMode> IDENTITIES_NEEDING_A_REGION = EnumSet.of(AwsAuthMode.AZURE_FEDERATED, AwsAuthMode.WEB_IDENTITY_FILE);

    private ConfigValidator() {}

    static List<String> validate(SkyferryConfig c) {
        List<String> p = new ArrayList<>();
        Set<String> accounts = new HashSet<>();
        for (int i = 0; i < c.azure().accounts().size(); i++) {
            var account = c.azure().accounts().get(i);
            String path = "azure.accounts[" + i + "]";
            if (required(p, path + ".name", account.name())
                    && matches(p, path + ".name", account.name(), ACCOUNT_NAME, "3-24 lower-case letters and digits")
                    && !accounts.add(account.name())) {
                p.add(path + ".name: '" + account.name() + "' is declared twice");
            }
            url(p, path + ".blobEndpoint", account.blobEndpoint());
            url(p, path + ".queueEndpoint", account.queueEndpoint());
        }

        var aws = c.aws();
        boolean needsAws = !c.rules().isEmpty() || c.sources().stream().anyMatch(s -> Source.SQS.equals(s.type()));
        if (needsAws && blank(aws.region()) && !IDENTITIES_NEEDING_A_REGION.contains(awsAuthMode(aws))) {
            p.add("aws.region: required (e.g. eu-west-1; or set AWS_REGION)");
        }
        notInClearBeyondLoopback(p, "aws.endpoints.sts", aws.endpoints().sts(), "the Entra token it is sent");
        url(p, "aws.endpoints.s3", aws.endpoints().s3());
        url(p, "aws.endpoints.sqs", aws.endpoints().sqs());

        Set<String> sourceNames = new HashSet<>();
        for (int i = 0; i < c.sources().size(); i++) {
            validateSource(p, "sources[" + i + "]", c.sources().get(i), accounts, sourceNames);
        }

        if (c.rules().isEmpty()) {
            p.add("rules: at least one rule is needed (an Azure container ⇄ S3 bucket mapping)");
        }
        for (int i = 0; i < c.rules().size(); i++) {
            validateRule(p, "rules[" + i + "]", c.rules().get(i), accounts);
        }

        var copy = c.copy();
        long part = copy.partSize().bytes();
        if (part < MIN_PART_SIZE || part > MAX_PART_SIZE) {
            p.add("copy.partSize: must be between 5MiB (the S3 part minimum) and 2000MiB, was " + copy.partSize());
        }
        atLeast(p, "copy.partsInFlightPerObject", copy.partsInFlightPerObject(), 1);
        atLeast(p, "copy.readStreamsPerObject", copy.readStreamsPerObject(), 1);
        between(p, "copy.maxCopiesInFlight", copy.maxCopiesInFlight(), 1, WorkerSettings.MOST_COPIES_IN_FLIGHT);
        if (copy.maxCopiesInFlight() < c.sources().size()) {
            p.add("copy.maxCopiesInFlight: must be at least the number of sources (" + c.sources().size()
                    + ") so that every source can make progress, was " + copy.maxCopiesInFlight());
        }
        if (copy.memoryBudget() != null && copy.memoryBudget().bytes() < part) {
            p.add("copy.memoryBudget: must hold at least one part (" + copy.partSize() + "), was " + copy.memoryBudget());
        }
        oneOf(p, "copy.s3ToAzureMode", copy.s3ToAzureMode(), S3_TO_AZURE_MODES);

        var retry = c.retry();
        between(p, "retry.maxAttempts", retry.maxAttempts(), 1, RetrySettings.MOST_ATTEMPTS);
        positive(p, "retry.initialBackoff", retry.initialBackoff());
        positive(p, "retry.maxBackoff", retry.maxBackoff());
        positive(p, "retry.redeliveryDelay", retry.redeliveryDelay());
        positive(p, "retry.maxRedeliveryDelay", retry.maxRedeliveryDelay());
        if (retry.initialBackoff().compareTo(retry.maxBackoff()) > 0) {
            p.add("retry.initialBackoff: must not exceed retry.maxBackoff (" + retry.maxBackoff() + "), was " + retry.initialBackoff());
        }
        if (retry.redeliveryDelay().compareTo(retry.maxRedeliveryDelay()) > 0) {
            p.add("retry.redeliveryDelay: must not exceed retry.maxRedeliveryDelay (" + retry.maxRedeliveryDelay() + "), was " + retry.redeliveryDelay());
        }
        if (retry.maxRedeliveryDelay().compareTo(MAX_VISIBILITY) > 0) {
            p.add("retry.maxRedeliveryDelay: must be at most 12h (the SQS visibility cap), was " + retry.maxRedeliveryDelay());
        }

        var breaker = c.circuitBreaker();
        if (breaker.failureRateThreshold() < 1 || breaker.failureRateThreshold() > 100) {
            p.add("circuitBreaker.failureRateThreshold: must be a percentage 1-100, was " + breaker.failureRateThreshold());
        }
        between(p, "circuitBreaker.slidingWindowSize", breaker.slidingWindowSize(), 1, CircuitBreakerSettings.LARGEST_SLIDING_WINDOW);
        positive(p, "circuitBreaker.waitInOpenState", breaker.waitInOpenState());

        if (c.worker().drainGrace().isNegative()) {
            p.add("worker.drainGrace: must not be negative, was " + c.worker().drainGrace());
        }
        int port = c.worker().http().port();
        if (port < 0 || port > 65535) {
            p.add("worker.http.port: must be 0-65535 (0 picks a free port), was " + port);
        }
        oneOf(p, "logging.format", c.logging().format(), LOG_FORMATS);
        oneOf(p, "logging.level", c.logging().level(), LOG_LEVELS);
        return p;
    }

    private static void validateSource(List<String> p, String path, Source s, Set<String> accounts, Set<String> names) {
        if (required(p, path + ".name", s.name()) && !names.add(s.name())) {
            p.add(path + ".name: '" + s.name() + "' is used by another source");
        }
        if (!required(p, path + ".type", s.type()) || !oneOf(p, path + ".type", s.type(), Set.of(Source.AZURE_QUEUE, Source.SQS))) {
            return;
        }
        if (Source.AZURE_QUEUE.equals(s.type())) {
            if (required(p, path + ".account", s.account()) && !accounts.contains(s.account())) {
                p.add(path + ".account: '" + s.account() + "' is not declared under azure.accounts");
            }
            if (required(p, path + ".queue", s.queue())) {
                matches(p, path + ".queue", s.queue(), QUEUE_NAME, "3-63 lower-case letters, digits and single hyphens");
                matches(p, path + ".poisonQueue", s.poisonQueueOrDefault(), QUEUE_NAME, "3-63 lower-case letters, digits and single hyphens");
            }
            forbidden(p, path + ".queueUrl", s.queueUrl(), "azure-queue");
            forbidden(p, path + ".deadLetterQueueUrl", s.deadLetterQueueUrl(), "azure-queue");
            if (s.visibilityTimeout().compareTo(Duration.ofDays(7)) > 0) {
                p.add(path + ".visibilityTimeout: Azure allows at most 7d, was " + s.visibilityTimeout());
            }
            positive(p, path + ".minPollInterval", s.minPollIntervalOrDefault());
            if (s.maxPollIntervalOrDefault().compareTo(s.minPollIntervalOrDefault()) < 0) {
                p.add(path + ".maxPollInterval: must be at least minPollInterval (" + s.minPollIntervalOrDefault()
                        + "), was " + s.maxPollIntervalOrDefault());
            }
        } else {
            if (required(p, path + ".queueUrl", s.queueUrl())) {
                url(p, path + ".queueUrl", s.queueUrl());
            }
            url(p, path + ".deadLetterQueueUrl", s.deadLetterQueueUrl());
            if (s.deadLetterQueueUrl() != null && s.deadLetterQueueUrl().equals(s.queueUrl())) {
                p.add(path + ".deadLetterQueueUrl: must differ from queueUrl (a dead letter would be delivered again)");
            }
            forbidden(p, path + ".account", s.account(), "sqs");
            forbidden(p, path + ".queue", s.queue(), "sqs");
            forbidden(p, path + ".poisonQueue", s.poisonQueue(), "sqs");
            forbidden(p, path + ".minPollInterval", s.minPollInterval(), "sqs (it long-polls)");
            forbidden(p, path + ".maxPollInterval", s.maxPollInterval(), "sqs (it long-polls)");
            forbidden(p, path + ".maxDequeueCount", s.maxDequeueCount(), "sqs (set maxReceiveCount in the queue's redrive policy)");
            if (s.visibilityTimeout().compareTo(MAX_VISIBILITY) > 0) {
                p.add(path + ".visibilityTimeout: SQS allows at most 12h, was " + s.visibilityTimeout());
            }
        }
        between(p, path + ".maxDequeueCount", s.maxDequeueCountOrDefault(), 1, AzureQueueSettings.MOST_DEQUEUES);
        if (s.visibilityTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
            p.add(path + ".visibilityTimeout: must be at least 1s, was " + s.visibilityTimeout());
        }
    }

    /** A rule's values; RuleSet checks the rules as a set, and that each has a name, both sides and a direction. */
    private static void validateRule(List<String> p, String path, Rule r, Set<String> accounts) {
        if (r.azure() != null) {
            if (!blank(r.azure().account()) && !accounts.contains(r.azure().account())) {
                p.add(path + ".azure.account: '" + r.azure().account() + "' is not declared under azure.accounts");
            }
            if (!blank(r.azure().container())) {
                matches(p, path + ".azure.container", r.azure().container(), CONTAINER_NAME, "3-63 lower-case letters, digits and single hyphens");
            }
        }
        if (r.s3() != null && !blank(r.s3().bucket())) {
            matches(p, path + ".s3.bucket", r.s3().bucket(), BUCKET_NAME, "3-63 lower-case letters, digits, dots and hyphens");
        }
        oneOf(p, path + ".deletes", r.deletes(), DELETE_POLICIES);
        oneOf(p, path + ".invalidMetadata", r.invalidMetadata(), INVALID_METADATA_POLICIES);
        String sse = r.s3Target().serverSideEncryption();
        if (sse != null) {
            oneOf(p, path + ".s3Target.serverSideEncryption", sse, SSE_TYPES);
        }
        if (r.s3Target().kmsKeyId() != null && (sse == null || !sse.startsWith("aws:kms"))) {
            p.add(path + ".s3Target.kmsKeyId: only meaningful with serverSideEncryption aws:kms or aws:kms:dsse");
        }
        if (r.azureTarget().accessTier() != null) {
            oneOf(p, path + ".azureTarget.accessTier", r.azureTarget().accessTier(), ACCESS_TIERS);
        }
        if ("tombstone".equals(r.deletes())) {
            // A tombstone rewrites the replica's metadata, which neither cloud allows on an archived object.
            if ("Archive".equals(r.azureTarget().accessTier()) && !"azure-to-s3".equals(r.direction())) {
                p.add(path + ".deletes: tombstone cannot mark a replica in Azure's Archive tier (azureTarget.accessTier),"
                        + " whose metadata Azure does not change; use propagate or ignore, or another tier");
            }
            String storageClass = r.s3Target().storageClass();
            if (storageClass != null && ARCHIVE_STORAGE_CLASSES.contains(storageClass) && !"s3-to-azure".equals(r.direction())) {
                p.add(path + ".deletes: tombstone cannot mark a replica stored as " + storageClass
                        + " (s3Target.storageClass), which S3 does not copy onto itself; use propagate or ignore, or another class");
            }
        }
    }

    private static AwsAuthMode awsAuthMode(SkyferryConfig.Aws aws) {
        return AwsAuthMode.fromConfigName(aws.auth().mode().trim()).orElse(null);
    }

    private static boolean required(List<String> p, String path, String value) {
        if (blank(value)) {
            p.add(path + ": required");
            return false;
        }
        return true;
    }

    private static void forbidden(List<String> p, String path, Object value, String type) {
        if (value != null) {
            p.add(path + ": not used by a source of type " + type + "; remove it");
        }
    }

    private static boolean oneOf(List<String> p, String path, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            p.add(path + ": '" + value + "' is not one of " + allowed.stream().sorted().toList());
            return false;
        }
        return true;
    }

    private static boolean matches(List<String> p, String path, String value, Pattern pattern, String rule) {
        if (!pattern.matcher(value).matches()) {
            p.add(path + ": '" + value + "' is not valid (" + rule + ")");
            return false;
        }
        return true;
    }

    private static void url(List<String> p, String path, String value) {
        if (value == null) {
            return;
        }
        try {
            URI uri = URI.create(value);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                p.add(path + ": '" + value + "' is not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            p.add(path + ": '" + value + "' is not a URL");
        }
    }

    /** A bearer token over plain HTTP is anyone's on the way: only a local emulator may take it so. */
    private static void notInClearBeyondLoopback(List<String> p, String path, String value, String what) {
        URI uri;
        try {
            uri = value == null ? null : URI.create(value);
        } catch (IllegalArgumentException e) {
            return; // url() reported it
        }
        if (uri == null || !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            return;
        }
        String host = uri.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        if (!loopback) {
            p.add(path + ": '" + value + "' is plain http: " + what + " would cross the network in clear;"
                    + " use https (http is for an emulator on this machine only)");
        }
    }

    private static void between(List<String> p, String path, int value, int min, int max) {
        if (value < min || value > max) {
            p.add(path + ": must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static void atLeast(List<String> p, String path, int value, int min) {
        if (value < min) {
            p.add(path + ": must be at least " + min + ", was " + value);
        }
    }

    private static void positive(List<String> p, String path, Duration value) {
        if (value.isNegative() || value.isZero()) {
            p.add(path + ": must be positive, was " + value);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
