package dev.skyferry.app;

import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.identity.AwsAuthMode;
import dev.skyferry.identity.AwsCredentials;
import dev.skyferry.identity.check.AccessProbes;
import dev.skyferry.identity.check.CheckResult;
import dev.skyferry.identity.check.IdentityCheck;
import dev.skyferry.queue.QueueException;
import dev.skyferry.queue.SqsSource;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.rule.ReplicationRule;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code skyferry check}: validates the config, obtains both identities and says who they are, then
 * probes every configured queue, container and bucket for exactly the permissions the worker needs.
 * Probes leave nothing behind and fire no events (see {@link AccessProbes}).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        header = "Validate the configuration and probe identities, queues, containers and buckets.",
        description = {"Validate the configuration, show both identities, and probe every queue, container and bucket",
                "for the permissions the worker needs. Exit 0 when all pass, 1 on any failure, 2 on a bad config."})
final class CheckCommand implements Callable<Integer> {

    /**
     * How long each Entra token request may take: check is a diagnosis someone waits for, so an endpoint
     * that does not answer is reported as unreachable at once rather than after the SDK's retries (minutes).
     */
    static final Duration ENTRA_ANSWER_WITHIN = Duration.ofSeconds(10);

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        SkyferryConfig loaded = config.load(env);
        PrintWriter out = spec.commandLine().getOut();
        List<CheckResult> results = new ArrayList<>();
        results.add(CheckResult.pass("configuration", config.resolve(env).toString(),
                loaded.rules().size() + " rules, " + loaded.sources().size() + " sources"));
        try (Wiring wiring = Wiring.create(loaded, env, RetryObserver.NONE, ENTRA_ANSWER_WITHIN)) {
            String azurePrincipal = null;
            if (wiring.azureCredential() != null) {
                var entra = IdentityCheck.entraToken(wiring.azureCredential(), IdentityCheck.STORAGE_SCOPE);
                results.add(entra.result());
                azurePrincipal = entra.claims() == null ? null : "object id " + entra.claims().objectId();
                if (wiring.identities().awsSettings().mode() == AwsAuthMode.AZURE_FEDERATED) {
                    results.addAll(IdentityCheck.federation(wiring.identities().awsSettings(), wiring.azureCredential(),
                            wiring.awsCredentials()));
                }
            } else {
                results.add(CheckResult.skipped("azure identity", "shared key", "azure.auth.mode shared-key uses the account key (emulators only)"));
            }
            String awsPrincipal = null;
            var aws = loaded.aws();
            if (wiring.identities().awsSettings().mode() == AwsAuthMode.STATIC && aws.endpoints().sts() == null
                    && aws.endpoints().s3() != null) {
                // Static keys to an S3-compatible endpoint (the emulators): there is no STS to ask who we are.
                results.add(CheckResult.skipped("aws identity", "static keys",
                        "aws.auth.mode static with endpoints.s3 and no endpoints.sts: no STS to ask"));
            } else {
                try (StsClient sts = AwsCredentials.stsClient(wiring.identities().awsSettings(), wiring.awsCredentials())) {
                    CheckResult caller = IdentityCheck.awsCallerIdentity(sts);
                    results.add(caller);
                    if (!caller.failed()) {
                        awsPrincipal = sts.getCallerIdentity().arn();
                    }
                } catch (RuntimeException e) {
                    results.add(CheckResult.fail("aws identity", "sts", e.getMessage(), "see docs/identity.md"));
                }
            }

            AccessProbes probes = new AccessProbes(azurePrincipal, awsPrincipal);
            Set<String> probed = new LinkedHashSet<>();
            for (ReplicationRule rule : wiring.rules().rules()) {
                var azure = rule.azure();
                var s3 = rule.s3();
                if (probed.add("azure " + azure.account() + "/" + azure.container())) {
                    var container = wiring.blobContainer(azure.account(), azure.container());
                    results.add(probes.blobRead(container));
                    if (rule.direction().s3ToAzure()) {
                        results.add(probes.blobWrite(container));
                    }
                }
                if (rule.copyTags() && probed.add("azure tags " + azure.account() + "/" + azure.container())) {
                    results.add(probes.blobTags(wiring.blobContainer(azure.account(), azure.container()),
                            rule.direction().azureToS3(), rule.direction().s3ToAzure()));
                }
                if (probed.add("s3 " + s3.bucket() + "/" + s3.prefix())) {
                    results.add(probes.s3Read(wiring.s3(), s3.bucket(), s3.prefix()));
                    if (rule.direction().azureToS3()) {
                        var options = rule.s3TargetOptions();
                        results.add(probes.s3Write(wiring.s3(), s3.bucket(), s3.prefix(), upload -> {
                            if (options.s3ServerSideEncryption() != null) {
                                upload.serverSideEncryption(ServerSideEncryption.fromValue(options.s3ServerSideEncryption()));
                            }
                            if (options.s3KmsKeyId() != null) {
                                upload.ssekmsKeyId(options.s3KmsKeyId());
                            }
                            if (options.s3StorageClass() != null) {
                                upload.storageClass(options.s3StorageClass());
                            }
                        }));
                    }
                }
            }
            for (SkyferryConfig.Source source : loaded.sources()) {
                if (SkyferryConfig.Source.AZURE_QUEUE.equals(source.type())) {
                    results.add(probes.queueReceive(wiring.azureQueue(source.account(), source.queue())));
                    results.add(probes.queueSend(wiring.azureQueue(source.account(), source.poisonQueueOrDefault())));
                } else {
                    results.add(probes.sqsReceive(wiring.sqs(), source.queueUrl()));
                    results.add(sqsDeadLetterQueue(probes, wiring, WorkerAssembly.sqsSource(source, wiring, Clock.systemUTC())));
                }
            }
        }
        print(out, results);
        return results.stream().anyMatch(CheckResult::failed) ? 1 : 0;
    }

    /** Where the source dead-letters: the configured DLQ, else its queue's redrive policy target; none is a failure. */
    private static CheckResult sqsDeadLetterQueue(AccessProbes probes, Wiring wiring, SqsSource source) {
        try {
            return source.deadLetterQueueUrl()
                    .map(dlq -> probes.sqsSend(wiring.sqs(), dlq))
                    .orElseGet(() -> CheckResult.fail("sqs dead-letter", source.queueUrl(), source.nowhereToDeadLetter()
                            + ": its permanent failures would be retried until the queue's retention period deletes them",
                            "set deadLetterQueueUrl on the source, or give the queue a redrive policy"));
        } catch (QueueException e) {
            return CheckResult.fail("sqs dead-letter", source.queueUrl(), e.getMessage(),
                    "allow sqs:GetQueueAttributes on the queue, and sqs:GetQueueUrl on its redrive policy's target");
        }
    }

    private static void print(PrintWriter out, List<CheckResult> results) {
        int checkWidth = Math.max(5, results.stream().mapToInt(r -> r.check().length()).max().orElse(5));
        int targetWidth = Math.min(60, Math.max(6, results.stream().mapToInt(r -> r.target().length()).max().orElse(6)));
        String row = "%-" + checkWidth + "s  %-" + targetWidth + "s  %-7s  %s%n";
        out.printf(row, "check", "target", "result", "detail");
        for (CheckResult r : results) {
            out.printf(row, r.check(), r.target(), r.status(), r.detail() == null ? "" : r.detail());
            if (r.failed() && r.hint() != null) {
                out.printf("%" + (checkWidth + targetWidth + 13) + "s  fix: %s%n", "", r.hint());
            }
        }
        long failed = results.stream().filter(CheckResult::failed).count();
        out.printf("%n%s%n", failed == 0 ? "All checks passed." : failed + " check" + (failed == 1 ? "" : "s") + " failed.");
        out.flush();
    }
}
