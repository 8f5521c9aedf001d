package dev.skyferry.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.app.Wiring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    /** The heap the checks where a config runs measure copy.memoryBudget against. */
    private static final long HEAP = 4L << 30;

    @TempDir
    Path dir;

    private static final String VALID = """
            azure:
              auth: { mode: workload-identity }
              accounts:
                - name: contosobackup
            aws:
              region: eu-west-1
              auth:
                mode: azure-federated
                roleArn: arn:aws:iam::123456789012:role/skyferry
                audience: api://skyferry-aws
            sources:
              - name: azure-events
                type: azure-queue
                account: contosobackup
                queue: skyferry-events
              - name: s3-events
                type: sqs
                queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/skyferry-events
            rules:
              - name: photos
                azure: { account: contosobackup, container: photos }
                s3: { bucket: contoso-photos-backup, prefix: from-azure/ }
                exclude: { suffixes: [".part"] }
            copy:
              partSize: 16MiB
            worker:
              drainGrace: 20s
            """;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("skyferry.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void anUnsetMemoryBudgetIsAShareOfTheHeapCappedAt256MiBAndAtLeastOnePart() {
        SkyferryConfig.Copy unset = new SkyferryConfig.Copy(null, null, null, null, null, null);
        SkyferryConfig.Copy set = new SkyferryConfig.Copy(null, null, null, null, DataSize.ofMebibytes(64), null);

        assertThat(unset.memoryBudgetFor(256L << 20)).isEqualTo(DataSize.ofMebibytes(102));
        assertThat(unset.memoryBudgetFor(4L << 30)).isEqualTo(DataSize.ofMebibytes(256));
        assertThat(unset.memoryBudgetFor(10L << 20)).isEqualTo(DataSize.ofMebibytes(8));
        assertThat(set.memoryBudgetFor(4L << 30)).isEqualTo(DataSize.ofMebibytes(64));
    }

    @Test
    void bindsValidFileAndFillsDefaults() throws Exception {
        SkyferryConfig config = ConfigLoader.load(write(VALID), Map.of());

        assertThat(config.copy().partSize().bytes()).isEqualTo(16L << 20);
        assertThat(config.copy().memoryBudget()).as("unset: derived from the heap when the worker starts").isNull();
        assertThat(config.worker().drainGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.sources().get(0).poisonQueueOrDefault()).isEqualTo("skyferry-events-poison");
        assertThat(config.sources().get(0).maxDequeueCountOrDefault()).isEqualTo(5);
        assertThat(config.sources().get(0).minPollIntervalOrDefault()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.sources().get(0).maxPollIntervalOrDefault()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.rules().get(0).direction()).isEqualTo("both");
        assertThat(config.rules().get(0).deletes()).isEqualTo("ignore");
        assertThat(config.rules().get(0).exclude().suffixes()).containsExactly(".part");
        assertThat(config.azure().accounts().get(0).blobEndpointOrDefault())
                .isEqualTo("https://contosobackup.blob.core.windows.net");
    }

    @Test
    void environmentOverridesFileValuesByUpperSnakePath() throws Exception {
        SkyferryConfig config = ConfigLoader.load(write(VALID), Map.of(
                "SKYFERRY_AWS_AUTH_ROLE_ARN", "arn:aws:iam::210987654321:role/other",
                "SKYFERRY_COPY_MAX_COPIES_IN_FLIGHT", "64",
                "SKYFERRY_SOURCES_1_DEAD_LETTER_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
                "SKYFERRY_RULES_0_EXCLUDE_PREFIXES", "tmp/, scratch/",
                "PATH", "/usr/bin"));

        assertThat(config.aws().auth().roleArn()).isEqualTo("arn:aws:iam::210987654321:role/other");
        assertThat(config.copy().maxCopiesInFlight()).isEqualTo(64);
        assertThat(config.sources().get(1).deadLetterQueueUrl()).endsWith("/dlq");
        assertThat(config.rules().get(0).exclude().prefixes()).containsExactly("tmp/", "scratch/");
    }

    @Test
    void maxDequeueCountIsAnAzureQueueSettingAndRefusedOnAnSqsSourceWhichWouldIgnoreIt() throws Exception {
        assertThat(ConfigLoader.load(write(VALID), Map.of("SKYFERRY_SOURCES_0_MAX_DEQUEUE_COUNT", "3"))
                .sources().get(0).maxDequeueCountOrDefault()).isEqualTo(3);
        assertThatThrownBy(() -> ConfigLoader.load(write(VALID), Map.of("SKYFERRY_SOURCES_1_MAX_DEQUEUE_COUNT", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sources[1].maxDequeueCount: not used by a source of type sqs");
    }

    @Test
    void anStsEndpointOverPlainHttpIsRefusedUnlessItIsOnThisMachine() throws Exception {
        for (String local : List.of("http://127.0.0.1:4566", "http://localhost:4566", "http://[::1]:4566", "https://sts.example.com")) {
            assertThat(ConfigLoader.load(write(VALID), Map.of("SKYFERRY_AWS_ENDPOINTS_STS", local)).aws().endpoints().sts())
                    .isEqualTo(local);
        }
        assertThatThrownBy(() -> ConfigLoader.load(write(VALID), Map.of("SKYFERRY_AWS_ENDPOINTS_STS", "http://sts.example.com")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("aws.endpoints.sts").hasMessageContaining("in clear");
    }

    @Test
    void aYamlSyntaxErrorSaysWhereAndWhatWithoutQuotingTheLineWhichMayHoldASecret() throws Exception {
        Path file = write("""
                azure:
                  auth:
                    mode: client-secret
                    clientSecret: "Xy7~Q8s-SuperSecretValue
                    tenantId: 00000000-0000-0000-0000-000000000000
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .satisfies(problem -> assertThat(problem).startsWith(file + ": not valid YAML at line ")
                                .contains("quoted scalar").doesNotContain("SuperSecretValue")));
    }

    @Test
    void ignoresTheServiceLinksKubernetesInjectsForAServiceNamedSkyferry() throws Exception {
        SkyferryConfig config = ConfigLoader.load(write(VALID), Map.of(
                "SKYFERRY_SERVICE_HOST", "10.0.0.11", "SKYFERRY_SERVICE_PORT", "8080",
                "SKYFERRY_SERVICE_PORT_HTTP", "8080", "SKYFERRY_PORT", "tcp://10.0.0.11:8080",
                "SKYFERRY_PORT_8080_TCP", "tcp://10.0.0.11:8080", "SKYFERRY_PORT_8080_TCP_PROTO", "tcp",
                "SKYFERRY_PORT_8080_TCP_PORT", "8080", "SKYFERRY_PORT_8080_TCP_ADDR", "10.0.0.11",
                "SKYFERRY_WORKER_HTTP_PORT", "9090"));

        assertThat(config.worker().http().port()).as("a setting of that shape still binds").isEqualTo(9090);
        assertThatThrownBy(() -> ConfigLoader.load(write(VALID), Map.of("SKYFERRY_WORKER_HTTP_PROT", "9090")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SKYFERRY_WORKER_HTTP_PROT: no such setting");
    }

    /** What S3 checks on writes is assumed of AWS, and of an S3-compatible endpoint only where declared. */
    @ParameterizedTest
    @ValueSource(strings = {"SKYFERRY_AWS_S3_CONDITIONAL_WRITES", "SKYFERRY_AWS_S3_CHECKS_PAYLOAD_HASHES"})
    void s3WriteChecksAreAssumedOnAwsOnlyUnlessSet(String declaration) throws Exception {
        Function<SkyferryConfig, Boolean> check = declaration.endsWith("CONDITIONAL_WRITES")
                ? config -> config.aws().s3ConditionalWrites()
                : config -> config.aws().s3ChecksPayloadHashes();
        SkyferryConfig onAws = ConfigLoader.load(write(VALID), Map.of());
        SkyferryConfig compatible = ConfigLoader.load(write(VALID), Map.of("SKYFERRY_AWS_ENDPOINTS_S3", "http://127.0.0.1:9000"));
        SkyferryConfig declared = ConfigLoader.load(write(VALID), Map.of(
                "SKYFERRY_AWS_ENDPOINTS_S3", "http://127.0.0.1:9000", declaration, "true"));

        assertThat(check.apply(onAws)).isTrue();
        assertThat(check.apply(compatible)).isFalse();
        assertThat(check.apply(declared)).isTrue();
    }

    /** docs/identity.md: settings fall back to the variables the platform sets, so EKS needs no aws.region. */
    @Test
    void awsRegionFallsBackToTheAwsRegionVariableButTheFileWins() throws Exception {
        String withoutRegion = VALID.replace("  region: eu-west-1\n", "");
        // azure-federated requires the region among its own settings; an identity from the SDK's chain does not.
        String chainWithoutRegion = withoutRegion.replace("mode: azure-federated", "mode: default");

        assertThat(ConfigLoader.load(write(withoutRegion), Map.of("AWS_REGION", "eu-central-1")).aws().region())
                .isEqualTo("eu-central-1");
        assertThat(ConfigLoader.load(write(VALID), Map.of("AWS_REGION", "eu-central-1")).aws().region())
                .isEqualTo("eu-west-1");
        assertThatThrownBy(() -> ConfigLoader.load(write(chainWithoutRegion), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).contains("aws.region: required (e.g. eu-west-1; or set AWS_REGION)"));
    }

    @Test
    void environmentAloneCanDescribeAWholeConfig() {
        SkyferryConfig config = ConfigLoader.load(null, Map.of(
                "SKYFERRY_AZURE_ACCOUNTS_0_NAME", "acct",
                "SKYFERRY_AWS_REGION", "us-east-1",
                "SKYFERRY_RULES_0_NAME", "r",
                "SKYFERRY_RULES_0_AZURE_ACCOUNT", "acct",
                "SKYFERRY_RULES_0_AZURE_CONTAINER", "box",
                "SKYFERRY_RULES_0_S3_BUCKET", "bucket-1"));

        assertThat(config.rules().get(0).azure().container()).isEqualTo("box");
        assertThat(config.rules().get(0).s3().bucket()).isEqualTo("bucket-1");
    }

    @Test
    void listsEveryProblemWithItsPath() throws Exception {
        String broken = """
                azure:
                  auth: { mode: magic }
                  accounts: [ { name: Contoso_Backup } ]
                aws:
                  auth: { mode: azure-federated, roleArn: "arn:aws:iam::12:role/x" }
                sources:
                  - { name: a, type: azure-queue, account: nobody, queue: Bad_Queue }
                  - { name: a, type: sqs, queueUrl: "not a url", visibilityTimeout: 13h }
                rules:
                  - name: r
                    azure: { account: contosobackup, container: c }
                    s3: { bucket: UPPER }
                    direction: sideways
                copy: { partSize: 1MiB, maxCopiesInFlight: 0, memoryBudget: lots }
                retry: { initialBackoff: 1m, maxBackoff: 1s }
                colour: blue
                """;

        Map<String, String> env = Map.of("SKYFERRY_NO_SUCH_THING", "1");

        assertThatThrownBy(() -> ConfigLoader.load(write(broken), env, config -> Wiring.problems(config, env, HEAP)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).as("binding problems alone: a partly bound"
                        + " config is not checked further").containsExactlyInAnyOrder(
                        "colour: unknown setting; known here: azure, aws, sources, rules, copy, retry, circuitBreaker, worker, logging",
                        "copy.memoryBudget: 'lots' is not a size; use a whole number with B, KiB, MiB, GiB or TiB, e.g. 8MiB",
                        "SKYFERRY_NO_SUCH_THING: no such setting (see docs/configuration.md for the names)"));
    }

    @Test
    void aTombstoneRuleWithTheDefaultStorageClassLoads() throws Exception {
        String tombstones = VALID.replace("    exclude: { suffixes: [\".part\"] }\n",
                "    exclude: { suffixes: [\".part\"] }\n    deletes: tombstone\n");

        SkyferryConfig config = ConfigLoader.load(write(tombstones), Map.of());

        assertThat(config.rules().get(0).deletes()).isEqualTo("tombstone");
    }

    @Test
    void anAccountWithoutANameIsAProblemNotACrash() throws Exception {
        String unnamed = VALID.replace("    - name: contosobackup\n", "    - blobEndpoint: https://contosobackup.blob.core.windows.net\n");

        assertThatThrownBy(() -> ConfigLoader.load(write(unnamed), Map.of(), config -> Wiring.problems(config, Map.of(), HEAP)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains("azure.accounts[0].name: required"));
    }

    @Test
    void anAzureQueuesPollingIntervalsCanBeSet() throws Exception {
        SkyferryConfig config = ConfigLoader.load(write(VALID.replace("queue: skyferry-events\n",
                "queue: skyferry-events\n    minPollInterval: 100ms\n    maxPollInterval: 2s\n")), Map.of());

        assertThat(config.sources().get(0).minPollIntervalOrDefault()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.sources().get(0).maxPollIntervalOrDefault()).isEqualTo(Duration.ofSeconds(2));
    }

    /** What the file's checks, the identities' and the rule set's would each find is listed once, by one of them. */
    @Test
    void semanticProblemsAreAllListedTogetherOnceTheFileBinds() throws Exception {
        String broken = """
                azure:
                  auth: { mode: magic }
                  accounts: [ { name: Contoso_Backup } ]
                aws:
                  auth: { mode: azure-federated, roleArn: "arn:aws:iam::12:role/x" }
                sources:
                  - { name: a, type: azure-queue, account: nobody, queue: Bad_Queue, minPollInterval: 2s, maxPollInterval: 1s }
                  - { name: a, type: sqs, queueUrl: "not a url", visibilityTimeout: 13h, maxPollInterval: 1s }
                rules:
                  - name: r
                    azure: { account: contosobackup, container: c }
                    s3: { bucket: UPPER }
                    direction: sideways
                  - { name: r, azure: { account: contosobackup, container: other }, s3: { bucket: "" } }
                copy: { partSize: 1MiB, maxCopiesInFlight: 0 }
                retry: { initialBackoff: 1m, maxBackoff: 1s }
                """;

        assertThatThrownBy(() -> ConfigLoader.load(write(broken), Map.of(), config -> Wiring.problems(config, Map.of(), HEAP)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "azure.auth.mode: 'magic' is not one of [workload-identity, managed-identity, default, client-secret, client-certificate, aws-federated, shared-key]",
                        "azure.accounts[0].name: 'Contoso_Backup' is not valid (3-24 lower-case letters and digits)",
                        "aws.region: required for mode azure-federated (the regional STS endpoint is used; or set AWS_REGION)",
                        "aws.auth.audience: required for mode azure-federated (the Entra app ID URI, e.g. api://skyferry-aws-federation)",
                        "aws.auth.roleArn: 'arn:aws:iam::12:role/x' is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)",
                        "sources[0].account: 'nobody' is not declared under azure.accounts",
                        "sources[0].queue: 'Bad_Queue' is not valid (3-63 lower-case letters, digits and single hyphens)",
                        "sources[0].poisonQueue: 'Bad_Queue-poison' is not valid (3-63 lower-case letters, digits and single hyphens)",
                        "sources[0].maxPollInterval: must be at least minPollInterval (PT2S), was PT1S",
                        "sources[1].name: 'a' is used by another source",
                        "sources[1].maxPollInterval: not used by a source of type sqs (it long-polls); remove it",
                        "sources[1].queueUrl: 'not a url' is not a URL",
                        "sources[1].visibilityTimeout: SQS allows at most 12h, was PT13H",
                        "rules[0].azure.account: 'contosobackup' is not declared under azure.accounts",
                        "rules[0].azure.container: 'c' is not valid (3-63 lower-case letters, digits and single hyphens)",
                        "rules[0].s3.bucket: 'UPPER' is not valid (3-63 lower-case letters, digits, dots and hyphens)",
                        "rules[0].direction: must be azure-to-s3, s3-to-azure or both",
                        "rules[1].name: 'r' is already used by rules[0]",
                        "rules[1].azure.account: 'contosobackup' is not declared under azure.accounts",
                        "rules[1].s3.bucket: must not be blank",
                        "copy.partSize: must be between 5MiB (the S3 part minimum) and 2000MiB, was 1MiB",
                        "copy.maxCopiesInFlight: must be between 1 and 100000, was 0",
                        "copy.maxCopiesInFlight: must be at least the number of sources (2) so that every source can make progress, was 0",
                        "retry.initialBackoff: must not exceed retry.maxBackoff (PT1S), was PT1M"));
    }

    @Test
    void theLimitsTheWorkerEnforcesAreListedProblemsNotACrashAtStart() throws Exception {
        String beyond = VALID
                .replace("queue: skyferry-events\n", "queue: skyferry-events\n    maxDequeueCount: 1001\n")
                .replace("queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/skyferry-events\n",
                        "queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/skyferry-events\n"
                                + "    deadLetterQueueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/skyferry-events\n")
                .replace("  partSize: 16MiB\n", "  partSize: 16MiB\n  maxCopiesInFlight: 1\n")
                + "retry: { maxAttempts: 101 }\ncircuitBreaker: { slidingWindowSize: 10001 }\n";

        assertThatThrownBy(() -> ConfigLoader.load(write(beyond), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "sources[0].maxDequeueCount: must be between 1 and 1000, was 1001",
                        "sources[1].deadLetterQueueUrl: must differ from queueUrl (a dead letter would be delivered again)",
                        "copy.maxCopiesInFlight: must be at least the number of sources (2) so that every source can make progress, was 1",
                        "retry.maxAttempts: must be between 1 and 100, was 101",
                        "circuitBreaker.slidingWindowSize: must be between 1 and 10000, was 10001"));
    }

    @Test
    void aTombstoneCannotMarkAReplicaInAnArchiveTier() throws Exception {
        String archived = VALID.replace("    exclude: { suffixes: [\".part\"] }\n", "    exclude: { suffixes: [\".part\"] }\n"
                + "    deletes: tombstone\n    azureTarget: { accessTier: Archive }\n    s3Target: { storageClass: DEEP_ARCHIVE }\n");

        assertThatThrownBy(() -> ConfigLoader.load(write(archived), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "rules[0].deletes: tombstone cannot mark a replica in Azure's Archive tier (azureTarget.accessTier),"
                                + " whose metadata Azure does not change; use propagate or ignore, or another tier",
                        "rules[0].deletes: tombstone cannot mark a replica stored as DEEP_ARCHIVE (s3Target.storageClass),"
                                + " which S3 does not copy onto itself; use propagate or ignore, or another class"));
        assertThat(ConfigLoader.load(write(archived.replace("deletes: tombstone", "deletes: propagate")), Map.of())
                .rules().get(0).deletes()).isEqualTo("propagate");
    }

    @Test
    void unreadableFileIsOneClearProblem() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml: cannot read");
    }
}
