package dev.skyferry.testkit;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.PeekedMessageItem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Proves the Azurite half of the harness: Blob and Queue through the real Azure SDK. */
@ExtendWith(EmulatorExtension.class)
class AzuriteSmokeTest {

    @Test
    void blobWrittenIsReadBackByteForByteWithItsMetadata(Emulators emulators) {
        BlobContainerClient container = emulators.blobService().createBlobContainer(Emulators.freshName("smoke"));
        byte[] content = new byte[300_000];
        new Random(42).nextBytes(content);

        BlobClient blob = container.getBlobClient("dir/with space/object.bin");
        blob.upload(BinaryData.fromBytes(content));
        blob.setMetadata(Map.of("origin", "smoke"));

        assertThat(blob.downloadContent().toBytes()).isEqualTo(content);
        assertThat(blob.getProperties().getMetadata()).containsEntry("origin", "smoke");
        assertThat(blob.getProperties().getBlobSize()).isEqualTo(content.length);
    }

    @Test
    void queueMessageSentWithBase64EncodingIsReceivedDecodedAndStoredEncoded(Emulators emulators) {
        String queueName = Emulators.freshName("smoke");
        QueueClient base64Queue = emulators.queueService().createQueue(queueName);
        String body = "{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"subject\":\"ünïcode\"}";

        base64Queue.sendMessage(body);

        // What is stored on the wire is base64: a client that does no decoding sees the encoded text.
        QueueClient rawQueue = emulators.queueService(QueueMessageEncoding.NONE).getQueueClient(queueName);
        PeekedMessageItem raw = rawQueue.peekMessage();
        assertThat(raw.getBody().toString())
                .isEqualTo(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)));

        List<QueueMessageItem> received = base64Queue.receiveMessages(32, Duration.ofSeconds(30), null, null)
                .stream().toList();
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().getBody().toString()).isEqualTo(body);
        assertThat(received.getFirst().getDequeueCount()).isEqualTo(1);

        base64Queue.deleteMessage(received.getFirst().getMessageId(), received.getFirst().getPopReceipt());
        assertThat(base64Queue.getProperties().getApproximateMessagesCountLong()).isZero();
    }
}
