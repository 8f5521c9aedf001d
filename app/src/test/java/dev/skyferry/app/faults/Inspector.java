package dev.skyferry.app.faults;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.skyferry.plan.Provenance;
import dev.skyferry.queue.AzureDeadLetterEnvelope;
import dev.skyferry.queue.SqsDeadLetterAttributes;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.worker.Direction;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Reads what the worker left behind, straight from the emulators (never through the fault proxies):
 * replicas, queues, dead letters, multipart uploads and uncommitted blocks.
 */
final class Inspector {

    /** A message found in the poison queue or the DLQ, with the reason Skyferry gave (null: none). */
    record DeadLetter(Direction queue, String originalText, String reason) {}

    /** What a target key holds, as far as the conservation check cares. */
    record Replica(long size, String sourceMd5, String sourceEtag, String etag, boolean marked) {}

    private final Emulators emulators;
    private final BlobContainerClient container;
    private final String bucket;
    private final QueueClient azureQueue;
    private final QueueClient poisonQueue;
    private final String sqsQueueUrl;
    private final String sqsDlqUrl;

    Inspector(Emulators emulators, String containerName, String bucket, String azureQueueName, String sqsQueueUrl,
              String sqsDlqUrl) {
        this.emulators = emulators;
        this.container = emulators.blobService().getBlobContainerClient(containerName);
        this.bucket = bucket;
        // As stored: the poison envelope is JSON written without base64.
        var queues = emulators.queueService(QueueMessageEncoding.NONE);
        this.azureQueue = queues.getQueueClient(azureQueueName);
        this.poisonQueue = queues.getQueueClient(azureQueueName + "-poison");
        this.sqsQueueUrl = sqsQueueUrl;
        this.sqsDlqUrl = sqsDlqUrl;
    }

    // ---------------------------------------------------------------- queues

    /** Messages still in the event queues, invisible (in flight, released with a delay) ones included. */
    long messagesInEventQueues() {
        return azureQueue.getProperties().getApproximateMessagesCount() + sqsMessages(sqsQueueUrl);
    }

    long poisonMessages() {
        return poisonQueue.getProperties().getApproximateMessagesCount();
    }

    long dlqMessages() {
        return sqsMessages(sqsDlqUrl);
    }

    private long sqsMessages(String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToLong(Long::parseLong).sum();
    }

    /**
     * Every dead letter in the poison queue and the DLQ. Receives them with a long visibility timeout
     * (nothing is deleted, and nothing reads them after the suite).
     */
    List<DeadLetter> collectDeadLetters() {
        List<DeadLetter> found = new ArrayList<>();
        while (true) {
            List<QueueMessageItem> batch = new ArrayList<>();
            poisonQueue.receiveMessages(32, Duration.ofMinutes(10), null, null).forEach(batch::add);
            if (batch.isEmpty()) {
                break;
            }
            for (QueueMessageItem item : batch) {
                String text = item.getBody().toString();
                Optional<AzureDeadLetterEnvelope> envelope = AzureDeadLetterEnvelope.parse(text);
                String original = envelope.map(AzureDeadLetterEnvelope::originalText).orElse(text);
                found.add(new DeadLetter(Direction.AZURE_TO_S3, decodeBase64OrKeep(original),
                        envelope.map(AzureDeadLetterEnvelope::reason).orElse(null)));
            }
        }
        while (true) {
            List<Message> batch = sqs().receiveMessage(b -> b.queueUrl(sqsDlqUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .visibilityTimeout(600).messageAttributeNames("All")).messages();
            if (batch.isEmpty()) {
                break;
            }
            for (Message message : batch) {
                var reason = message.messageAttributes().get(SqsDeadLetterAttributes.REASON);
                found.add(new DeadLetter(Direction.S3_TO_AZURE, message.body(), reason == null ? null : reason.stringValue()));
            }
        }
        return found;
    }

    /** Event Grid writes base64; the suite's publisher too. Text that is not base64 is kept as it is. */
    private static String decodeBase64OrKeep(String text) {
        try {
            return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return text;
        }
    }

    // ---------------------------------------------------------------- objects

    /** The object at {@code key} in the store the event's replica goes to; empty when there is none. */
    Optional<Replica> target(SuiteEvent event) {
        return event.direction() == Direction.AZURE_TO_S3 ? s3Object(event.key()) : blob(event.key());
    }

    /** The object at {@code key} in the event's own source store; empty when there is none. */
    Optional<Replica> source(SuiteEvent event) {
        return event.direction() == Direction.AZURE_TO_S3 ? blob(event.key()) : s3Object(event.key());
    }

    Optional<Replica> s3Object(String key) {
        try {
            HeadObjectResponse head = s3().headObject(b -> b.bucket(bucket).key(key));
            Map<String, String> metadata = head.metadata();
            return Optional.of(new Replica(head.contentLength(), Provenance.get(metadata, Provenance.SOURCE_MD5),
                    Provenance.get(metadata, Provenance.SOURCE_ETAG), Traffic.unquote(head.eTag()), Provenance.isReplica(metadata)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Optional<Replica> blob(String key) {
        try {
            BlobProperties properties = container.getBlobClient(key).getProperties();
            Map<String, String> metadata = properties.getMetadata();
            return Optional.of(new Replica(properties.getBlobSize(), Provenance.get(metadata, Provenance.SOURCE_MD5),
                    Provenance.get(metadata, Provenance.SOURCE_ETAG), Traffic.unquote(properties.getETag()),
                    Provenance.isReplica(metadata)));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Base64 MD5 of the bytes the target serves for the event's key (the whole body is read). */
    String targetContentMd5(SuiteEvent event) {
        MessageDigest md5 = newMd5();
        if (event.direction() == Direction.AZURE_TO_S3) {
            try (InputStream in = new DigestInputStream(s3().getObject(b -> b.bucket(bucket).key(event.key())), md5)) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            container.getBlobClient(event.key()).downloadStream(new DigestOutputStream(OutputStream.nullOutputStream(), md5));
        }
        return Traffic.base64(md5.digest());
    }

    /** Sizes of what the bucket and the container list now: S3 keys under "s3:", blob names under "azure:". */
    Map<String, Long> listedSizes() {
        Map<String, Long> sizes = new HashMap<>();
        for (S3Object object : s3().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            sizes.put("s3:" + object.key(), object.size());
        }
        for (BlobItem blob : container.listBlobs()) {
            sizes.put("azure:" + blob.getName(), blob.getProperties().getContentLength());
        }
        return sizes;
    }

    /** Multipart uploads started and neither completed nor aborted. */
    List<MultipartUpload> openMultipartUploads() {
        return s3().listMultipartUploads(b -> b.bucket(bucket)).uploads();
    }

    /** Parts uploaded so far to an open multipart upload. */
    int partCount(MultipartUpload upload) {
        return s3().listPartsPaginator(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()))
                .parts().stream().mapToInt(part -> 1).sum();
    }

    void abortMultipartUpload(MultipartUpload upload) {
        s3().abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
    }

    /**
     * Blob names holding uncommitted blocks: blobs that exist only as staged blocks, and committed
     * blobs among {@code committedKeys} whose block list still has uncommitted entries.
     */
    Set<String> uncommittedBlocks(Set<String> committedKeys) {
        Set<String> committed = new HashSet<>();
        container.listBlobs().forEach(blob -> committed.add(blob.getName()));
        Set<String> uncommitted = new HashSet<>();
        var options = new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true));
        for (BlobItem blob : container.listBlobs(options, null)) {
            if (!committed.contains(blob.getName())) {
                uncommitted.add(blob.getName());
            }
        }
        for (String key : committedKeys) {
            var blocks = container.getBlobClient(key).getBlockBlobClient().listBlocks(BlockListType.UNCOMMITTED);
            if (!blocks.getUncommittedBlocks().isEmpty()) {
                uncommitted.add(key);
            }
        }
        return uncommitted;
    }

    // ---------------------------------------------------------------- helpers

    /** Runs {@code check}, answering {@code whenDown} while an emulator is stopped or unreachable. */
    static <T> T orWhenDown(Supplier<T> check, T whenDown) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            return whenDown;
        }
    }

    private S3Client s3() {
        return emulators.s3Client();
    }

    private SqsClient sqs() {
        return emulators.sqsClient();
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
