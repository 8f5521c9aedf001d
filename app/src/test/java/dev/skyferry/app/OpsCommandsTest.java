package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skyferry.app.local.EmulatorConfig;
import dev.skyferry.plan.Provenance;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;

/** diff → backfill --direct → diff through the real CLI and config wiring, on the emulators. */
@ExtendWith(EmulatorExtension.class)
class OpsCommandsTest {

    private final Emulators emulators;
    private String bucket;
    private String container;
    private Path config;

    @TempDir
    Path dir;

    OpsCommandsTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @BeforeEach
    void setUp() throws Exception {
        container = Emulators.freshName("ops");
        bucket = Emulators.freshName("ops");
        String queue = Emulators.freshName("events");
        emulators.blobService().createBlobContainer(container);
        emulators.s3Client().createBucket(b -> b.bucket(bucket));
        emulators.queueService().createQueue(queue);
        String sqsUrl = emulators.sqsClient().createQueue(b -> b.queueName(Emulators.freshName("events"))).queueUrl();
        String dlqUrl = emulators.sqsClient().createQueue(b -> b.queueName(Emulators.freshName("dlq"))).queueUrl();
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
    void diffFindsWhatBackfillThenRepairs() {
        for (int i = 0; i < 5; i++) {
            String key = "backlog/object " + i + ".bin";
            emulators.s3Client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("payload " + key));
        }

        Run before = run("diff", "--config", config.toString(), "--direction", "s3-to-azure");
        assertThat(before.exitCode()).as(before.err()).isEqualTo(1);
        assertThat(before.out().lines().filter(line -> line.contains("missing"))).hasSize(5);

        Run backfill = run("backfill", "--config", config.toString(), "--direction", "s3-to-azure", "--direct",
                "--checkpoint", dir.resolve("checkpoint.json").toString());
        assertThat(backfill.exitCode()).as(backfill.out() + backfill.err()).isZero();
        assertThat(emulators.blobService().getBlobContainerClient(container).getBlobClient("backlog/object 3.bin")
                .getProperties().getMetadata()).containsKey(Provenance.SOURCE_MD5);

        Run after = run("diff", "--config", config.toString(), "--direction", "s3-to-azure");
        assertThat(after.exitCode()).as(after.out() + after.err()).isZero();
    }
}
