package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.local.EmulatorConfig;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.fault.FaultProxy;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import dev.skyferry.testkit.identity.LocalSts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code skyferry check} on the emulators: who we are, what we may do, and an exit code that says so. */
@ExtendWith(EmulatorExtension.class)
class CheckCommandTest {

    private final Emulators emulators;
    private LocalSts sts;
    private ObjectNode config;

    @TempDir
    Path dir;

    CheckCommandTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @BeforeEach
    void setUp() {
        sts = LocalSts.builder().keyPair(emulators.awsAccessKeyId(), emulators.awsSecretAccessKey()).start()
                .basePrincipal("arn:aws:iam::000000000000:user/skyferry-check");
        String container = Emulators.freshName("check");
        String bucket = Emulators.freshName("check");
        String queue = Emulators.freshName("events");
        emulators.blobService().createBlobContainer(container);
        emulators.s3Client().createBucket(b -> b.bucket(bucket));
        emulators.queueService().createQueue(queue);
        String sqsUrl = emulators.sqsClient().createQueue(b -> b.queueName(Emulators.freshName("events"))).queueUrl();
        String dlqUrl = emulators.sqsClient().createQueue(b -> b.queueName(Emulators.freshName("dlq"))).queueUrl();
        config = new EmulatorConfig(emulators, container, bucket, queue, sqsUrl, dlqUrl).tree();
        config.withObject("/aws/endpoints").put("sts", sts.endpoint().toString());
    }

    @AfterEach
    void tearDown() {
        sts.close();
    }

    private ObjectNode rule() {
        return (ObjectNode) config.withArray("rules").get(0);
    }

    private ObjectNode sqsSource() {
        return (ObjectNode) config.withArray("sources").get(1);
    }

    private record Run(int exitCode, String out, String err) {}

    private Run check() {
        Path file = write();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("check", "--config", file.toString());
        return new Run(code, out.toString(), err.toString());
    }

    private Path write() {
        try {
            Path file = dir.resolve("skyferry.yaml");
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .writeValue(file.toFile(), config);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void passesAndNamesTheAwsPrincipalWhenEverythingIsReachable() {
        Run run = check();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("arn:aws:iam::000000000000:user/skyferry-check")
                .contains("All checks passed.")
                .doesNotContain("FAIL");
    }

    @Test
    void staticKeysToTheEmulatorsWithoutAnStsSkipTheAwsIdentityInsteadOfFailingIt() {
        config.withObject("/aws/endpoints").remove("sts");

        Run run = check();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("aws identity").contains("no STS to ask");
    }

    @Test
    void probesBlobTagsOnlyForRulesThatCopyThem() {
        assertThat(check().out()).doesNotContain("blob tags");

        rule().put("copyTags", true);
        Run run = check();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("blob tags").contains("tag read and write allowed");
    }

    @Test
    void failsWithARemediationHintWhenABucketIsMissing() {
        rule().withObject("/s3").put("bucket", "no-such-bucket-here");

        Run run = check();

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL").contains("no-such-bucket-here").contains("fix:");
    }

    @Test
    void failsWhenAnSqsSourceHasNowhereToDeadLetter() {
        sqsSource().remove("deadLetterQueueUrl");

        Run run = check();

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("sqs dead-letter").contains("FAIL").contains("nowhere to dead-letter")
                .contains("fix: set deadLetterQueueUrl on the source, or give the queue a redrive policy");
    }

    @Test
    void anSqsSourceWithoutItsOwnDlqDeadLettersToItsQueuesRedrivePolicyTarget() {
        String dlqUrl = sqsSource().remove("deadLetterQueueUrl").asText();
        String dlqArn = emulators.sqsQueueArn(dlqUrl.substring(dlqUrl.lastIndexOf('/') + 1));
        emulators.sqsClient().setQueueAttributes(b -> b.queueUrl(sqsSource().get("queueUrl").asText()).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"5\"}")));

        Run run = check();

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("sqs send").contains(dlqUrl);
    }

    @Test
    void anEntraTokenEndpointThatNeverAnswersIsReportedUnreachableInSecondsNotAfterTheSdksRetries() {
        try (LocalOidcIssuer issuer = LocalOidcIssuer.start();
             FaultProxy silentIssuer = FaultProxy.inFrontOf(issuer.authorityHost()).blackHole(true)) {
            var app = issuer.addApplication("skyferry-check", "s3cr3t-value");
            config.withObject("/azure").putObject("auth").put("mode", "client-secret").put("tenantId", issuer.tenantId())
                    .put("clientId", app.clientId()).put("clientSecret", "s3cr3t-value")
                    .put("authorityHost", silentIssuer.proxiedUri(issuer.authorityHost()).toString());
            // Bearer tokens need https; nothing listens there, and the token is asked for first.
            ((ObjectNode) config.withArray("/azure/accounts").get(0)).put("blobEndpoint", "https://127.0.0.1:9/account");
            rule().put("direction", "azure-to-s3");
            config.withArray("sources").remove(0); // the Azure queue: one token-bound row (blob read) is enough

            // The SDK alone retries each token request for minutes against a silent endpoint.
            Run run = assertTimeoutPreemptively(Duration.ofSeconds(60), this::check);

            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            assertThat(run.out().lines().filter(row -> row.startsWith("entra token") || row.startsWith("blob read")))
                    .hasSize(2).allSatisfy(row -> assertThat(row).contains("FAIL").contains("no answer within 10 s"));
            assertThat(run.out().lines().filter(line -> line.strip().startsWith("fix: the token endpoint is unreachable")))
                    .as("the identity hint under each of the two rows").hasSize(2);
        }
    }

    @Test
    void invalidConfigListsEveryProblemAndExitsTwo() {
        rule().withObject("/s3").put("bucket", "");
        config.withObject("/copy").put("partSize", "1MiB");

        Run run = check();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("rules[0].s3.bucket: must not be blank").contains("copy.partSize");
    }

    @Test
    void awsFederatingFromASharedKeyIsAConfigProblemNotACrash() {
        config.withObject("/aws").putObject("auth").put("mode", "azure-federated")
                .put("roleArn", "arn:aws:iam::000000000000:role/skyferry").put("audience", "api://skyferry-aws-federation");

        Run run = check();

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("azure-federated cannot be combined with azure.auth.mode shared-key");
    }
}
