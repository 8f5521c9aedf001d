package dev.skyferry.testkit;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.Message;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stopping and starting one emulator (for fault tests) keeps its port and its data. Uses its own set. */
class EmulatorFaultsTest {

    private static Emulators emulators;

    @BeforeAll
    static void startOwnSet() {
        emulators = Emulators.start();
    }

    @AfterAll
    static void closeOwnSet() {
        if (emulators != null) {
            emulators.close();
        }
    }

    @Test
    void s3ProxyRestartedKeepsItsPortAndObjects() {
        String bucket = Emulators.freshName("fault");
        emulators.s3Client().createBucket(b -> b.bucket(bucket));
        emulators.s3Client().putObject(p -> p.bucket(bucket).key("kept"), RequestBody.fromString("still here"));
        var endpoint = emulators.s3Endpoint();

        emulators.stopS3();
        assertThatThrownBy(() -> emulators.s3Client().headBucket(h -> h.bucket(bucket)))
                .isInstanceOf(SdkClientException.class);
        emulators.startS3();

        assertThat(emulators.s3Endpoint()).isEqualTo(endpoint);
        assertThat(emulators.s3Client().getObjectAsBytes(g -> g.bucket(bucket).key("kept")).asUtf8String())
                .isEqualTo("still here");
    }

    @Test
    void elasticMqRestartedKeepsItsPortQueuesAndMessages() {
        String queueUrl = emulators.sqsClient().createQueue(c -> c.queueName(Emulators.freshName("fault"))).queueUrl();
        emulators.sqsClient().sendMessage(s -> s.queueUrl(queueUrl).messageBody("survives"));
        var endpoint = emulators.sqsEndpoint();

        emulators.stopSqs();
        assertThatThrownBy(() -> emulators.sqsClient().getQueueAttributes(g -> g.queueUrl(queueUrl)))
                .isInstanceOf(SdkClientException.class);
        emulators.startSqs();

        assertThat(emulators.sqsEndpoint()).isEqualTo(endpoint);
        List<Message> received = emulators.sqsClient()
                .receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5)).messages();
        assertThat(received).extracting(Message::body).containsExactly("survives");
    }

    @Test
    void azuriteRestartedKeepsItsPortsBlobsAndQueues() {
        BlobContainerClient container = emulators.blobService().createBlobContainer(Emulators.freshName("fault"));
        container.getBlobClient("kept").upload(BinaryData.fromString("still here"));
        QueueClient queue = emulators.queueService().createQueue(Emulators.freshName("fault"));
        queue.sendMessage("survives");
        String blobEndpoint = emulators.blobEndpoint();
        String queueEndpoint = emulators.queueEndpoint();

        emulators.stopAzurite();
        emulators.startAzurite();

        assertThat(emulators.blobEndpoint()).isEqualTo(blobEndpoint);
        assertThat(emulators.queueEndpoint()).isEqualTo(queueEndpoint);
        assertThat(container.getBlobClient("kept").downloadContent().toString()).isEqualTo("still here");
        assertThat(queue.receiveMessage().getBody().toString()).isEqualTo("survives");
    }
}
