package dev.skyferry.app.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.models.BlobItem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code ./skyferry local}, the README's first command: its own emulators, worker and event bridge. */
class LocalEnvironmentTest {

    private static LocalEnvironment environment;

    @BeforeAll
    static void start() {
        environment = LocalEnvironment.start(0, false);
    }

    @AfterAll
    static void stop() {
        environment.close();
    }

    @Test
    void theSeededObjectsOfBothSidesAreReplicatedAndVerified() throws Exception {
        SeedRun.Summary summary = new SeedRun(environment, 10).run(Duration.ofSeconds(120));

        assertThat(summary.rows()).hasSize(20);
        assertThat(summary.allReplicated()).as(summary.rows().toString()).isTrue();
    }

    @Test
    void aMultipartUploadInProgressIsNotAnnouncedPieceByPiece() {
        S3Client s3 = environment.s3();
        String bucket = environment.bucket();
        String key = "bridge/large.bin";
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String partEtag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(new byte[1024])).eTag();
        // Long enough for the bridge (every 500 ms) to list the bucket, and the worker to copy what it announced.
        await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(u -> u.parts(p -> p.partNumber(1).eTag(partEtag))));

        await().atMost(Duration.ofSeconds(30)).until(() -> environment.blobContainer().getBlobClient(key).exists());
        List<String> blobs = environment.blobContainer().listBlobs().stream().map(BlobItem::getName).toList();
        assertThat(blobs).noneMatch(name -> name.startsWith(".mpus-") || name.equals(uploadId));
    }
}
