package dev.skyferry.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skyferry.app.Main;
import dev.skyferry.app.local.EmulatorConfig;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.queue.AzureDeadLetterEnvelope;
import dev.skyferry.queue.SqsDeadLetterAttributes;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** replay, backfill and diff through the real command line and config wiring, on the emulators. */
@ExtendWith(EmulatorExtension.class)
class OpsCliTest {

    private final Emulators emulators;
    private final SqsClient sqs;
    private String container;
    private String bucket;
    private QueueClient azureQueue;
    private QueueClient poison;
    private String sqsUrl;
    private String dlqUrl;
    private Path config;

    @TempDir
    Path dir;

    OpsCliTest(Emulators emulators) {
        this.emulators = emulators;
        this.sqs = emulators.sqsClient();
    }

    @BeforeEach
    void setUp() throws Exception {
        container = Emulators.freshName("cli");
        bucket = Emulators.freshName("cli");
        String queue = Emulators.freshName("events");
        emulators.blobService().createBlobContainer(container);
        emulators.s3Client().createBucket(b -> b.bucket(bucket));
        var raw = emulators.queueService(QueueMessageEncoding.NONE);
        azureQueue = raw.createQueue(queue);
        poison = raw.createQueue(queue + "-poison");
        String dlqName = Emulators.freshName("dlq");
        dlqUrl = sqs.createQueue(b -> b.queueName(dlqName)).queueUrl();
        sqsUrl = sqs.createQueue(b -> b.queueName(Emulators.freshName("events")).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"maxReceiveCount\":\"5\",\"deadLetterTargetArn\":\""
                        + emulators.sqsQueueArn(dlqName) + "\"}"))).queueUrl();
        ObjectNode tree = new EmulatorConfig(emulators, container, bucket, queue, sqsUrl, dlqUrl).tree();
        config = dir.resolve("skyferry.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), tree);
    }

    private record Run(int exitCode, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void replayDryRunListsEachDeadLetterWithItsReasonAndMovesNothing() {
        sendToDlq("photos/a.jpg", "forbidden");
        sendToDlq("photos/b.jpg", "checksum-mismatch");

        Run dryRun = run("replay", "--config", config.toString(), "--source", "s3-events", "--dry-run");

        assertThat(dryRun.exitCode()).as(dryRun.err()).isEqualTo(OpsCli.OK);
        List<String> lines = dryRun.out().lines().toList();
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("would-replay  ")
                .contains("attempts=3").contains("last error: AccessDenied on GET"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("reason=forbidden").contains("s3://" + bucket + "/photos/a.jpg"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("reason=checksum-mismatch"));
        assertThat(dryRun.err()).contains("replay (dry run): would-replay=2");
        assertThat(visible(dlqUrl)).isEqualTo(2);
        assertThat(visible(sqsUrl)).isZero();
    }

    @Test
    void replayWithAReasonFilterMovesOnlyThoseAndReportsCounts() {
        sendToDlq("photos/a.jpg", "forbidden");
        sendToDlq("photos/b.jpg", "checksum-mismatch");

        Run replay = run("replay", "--config", config.toString(), "--source", "s3-events", "--reason", "forbidden",
                "--rate", "20");

        assertThat(replay.exitCode()).as(replay.err()).isEqualTo(OpsCli.OK);
        assertThat(replay.err()).contains("replayed=1").contains("filtered-out=1");
        assertThat(visible(sqsUrl)).isEqualTo(1);
        assertThat(visible(dlqUrl)).isEqualTo(1);
    }

    @Test
    void replayFromThePoisonQueuePutsTheOriginalTextBack() {
        String original = Base64.getEncoder().encodeToString(SyntheticEvents.azureBlobCreated(emulators.azureAccount(),
                container, "x.txt", "0x8DD1", 1, "text/plain", null, emulators.blobEndpoint(), Instant.now())
                .getBytes(StandardCharsets.UTF_8));
        poison.sendMessage(new AzureDeadLetterEnvelope("forbidden", 5, "403", Instant.now(), "403", Instant.now(),
                "azure-events", azureQueue.getQueueName(), "m-1", Instant.now(), original).toJson());

        Run replay = run("replay", "--config", config.toString(), "--source", "azure-events", "-v");

        assertThat(replay.exitCode()).as(replay.err()).isEqualTo(OpsCli.OK);
        assertThat(replay.out()).startsWith("replayed  ").contains("reason=forbidden");
        assertThat(azureQueue.receiveMessage().getBody().toString()).isEqualTo(original);
    }

    @Test
    void serverSideReplayMovesTheWholeQueueWithAnSqsMoveTask() {
        sendToDlq("photos/1.jpg", "forbidden");
        sendToDlq("photos/2.jpg", "forbidden");

        Run replay = run("replay", "--config", config.toString(), "--source", "s3-events", "--server-side");

        assertThat(replay.exitCode()).as(replay.out() + replay.err()).isEqualTo(OpsCli.OK);
        assertThat(replay.out()).contains("move task completed: 2 moved");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> visible(sqsUrl) == 2);
        assertThat(visible(dlqUrl)).isZero();
    }

    @Test
    void optionsThatCannotGoTogetherAreRefusedBeforeAnythingMoves() {
        sendToDlq("photos/1.jpg", "forbidden");

        Run refused = run("replay", "--config", config.toString(), "--source", "s3-events", "--server-side", "--dry-run");
        Run unknownSource = run("replay", "--config", config.toString(), "--source", "nope");

        assertThat(refused.exitCode()).isEqualTo(OpsCli.USAGE);
        assertThat(refused.err()).contains("--server-side moves a whole SQS dead-letter queue");
        assertThat(unknownSource.exitCode()).isEqualTo(OpsCli.USAGE);
        assertThat(unknownSource.err()).contains("no source named 'nope'; configured sources: azure-events, s3-events");
        assertThat(visible(dlqUrl)).isEqualTo(1);
    }

    @Test
    void diffWritesCsvToAFileAndExitsOneOnDriftZeroWithout() throws Exception {
        emulators.s3Client().putObject(b -> b.bucket(bucket).key("only-in-s3.txt"), RequestBody.fromString("s3"));
        Path csv = dir.resolve("drift.csv");

        Run drift = run("diff", "--config", config.toString(), "--direction", "s3-to-azure", "--format", "csv",
                "--output", csv.toString());

        assertThat(drift.exitCode()).as(drift.err()).isEqualTo(OpsCli.PROBLEMS);
        assertThat(Files.readAllLines(csv)).containsExactly(
                "kind,rule,direction,source,target,source_size,target_size,source_etag,expected,detail",
                "missing,local,s3-to-azure,s3://" + bucket + "/only-in-s3.txt,azure://" + emulators.azureAccount() + "/"
                        + container + "/only-in-s3.txt,2,,"
                        + emulators.s3Client().headObject(b -> b.bucket(bucket).key("only-in-s3.txt")).eTag().replace("\"", "")
                        + ",false,no object at azure://" + emulators.azureAccount() + "/" + container + "/only-in-s3.txt");
        assertThat(drift.err()).contains("diff local s3-to-azure: in-sync=0 missing=1").contains("diff: 1 drift line");

        Run backfill = run("backfill", "--config", config.toString(), "--direction", "s3-to-azure", "--direct",
                "--checkpoint", dir.resolve("cp.json").toString());
        Run again = run("backfill", "--config", config.toString(), "--direction", "s3-to-azure", "--direct",
                "--checkpoint", dir.resolve("cp.json").toString());
        Run clean = run("diff", "--config", config.toString(), "--direction", "s3-to-azure");

        assertThat(backfill.exitCode()).as(backfill.err()).isEqualTo(OpsCli.OK);
        assertThat(backfill.err()).contains("replicated=1").contains("complete");
        assertThat(again.err()).contains("already complete according to").contains("delete it to backfill again");
        assertThat(clean.exitCode()).as(clean.err()).isEqualTo(OpsCli.OK);
        assertThat(clean.out()).isEmpty();
        assertThat(clean.err()).contains("diff: no drift");
    }

    private void sendToDlq(String key, String reason) {
        String body = SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), bucket, key, 3, "abc", null, null, Instant.now());
        sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageAttributes(Map.of(
                SqsDeadLetterAttributes.REASON, text(reason),
                SqsDeadLetterAttributes.ATTEMPTS, MessageAttributeValue.builder().dataType("Number").stringValue("3").build(),
                SqsDeadLetterAttributes.LAST_ERROR, text("AccessDenied on GET"),
                SqsDeadLetterAttributes.DEAD_LETTERED_AT, text(Instant.now().minusSeconds(600).toString()))));
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private int visible(String queueUrl) {
        return Integer.parseInt(sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }
}
