package dev.skyferry.ops.backfill;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.ops.diff.ReplicaCheck;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.diff.Verdict;
import dev.skyferry.queue.AzureQueueSends;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.StoreKind;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code backfill --enqueue}: puts one synthetic creation event per object on the worker's queue,
 * written exactly as the cloud would ({@link SyntheticEvents}), so the whole fleet — scaled on queue
 * depth — does the copying, the way to backfill millions of objects. Azure events go base64-encoded,
 * one per message, as Event Grid delivers to a storage queue; S3 events as an S3 notification on SQS.
 * Events carry no sequencer (a listing has none), so the worker compares ETags instead.
 */
public final class EnqueueReplication implements BackfillAction {

    private final QueueClient azureQueue;
    private final SqsClient sqs;
    private final String sqsQueueUrl;
    private final String awsRegion;
    private final Clock clock;

    /**
     * @param azureQueue  the worker's Azure source queue (with {@link QueueMessageEncoding#NONE}), for
     *                    objects listed in Azure; null when no pair needs it
     * @param sqsQueueUrl the worker's SQS source queue, for objects listed in S3; null when no pair needs it
     * @param awsRegion   written into S3 events as {@code awsRegion}
     */
    public EnqueueReplication(QueueClient azureQueue, SqsClient sqs, String sqsQueueUrl, String awsRegion, Clock clock) {
        if (azureQueue != null && azureQueue.getMessageEncoding() != QueueMessageEncoding.NONE) {
            throw new IllegalArgumentException("queue client for " + azureQueue.getQueueName()
                    + " must use QueueMessageEncoding.NONE (events are base64-encoded here, as Event Grid does), was "
                    + azureQueue.getMessageEncoding());
        }
        this.azureQueue = azureQueue;
        this.sqs = sqs;
        this.sqsQueueUrl = sqsQueueUrl;
        this.awsRegion = awsRegion;
        this.clock = clock;
    }

    /** Checks before the run that every pair has a queue to go to. */
    public void requireQueueFor(SyncPair pair) {
        if (pair.sourceKind() == StoreKind.AZURE_BLOB && azureQueue == null) {
            throw new IllegalArgumentException("backfill --enqueue of " + pair.name() + " needs an azure-queue source to enqueue to");
        }
        if (pair.sourceKind() == StoreKind.S3 && (sqs == null || sqsQueueUrl == null)) {
            throw new IllegalArgumentException("backfill --enqueue of " + pair.name() + " needs an sqs source to enqueue to");
        }
    }

    @Override
    public String describe() {
        StringBuilder where = new StringBuilder("enqueue to");
        if (azureQueue != null) {
            where.append(" azure-queue ").append(azureQueue.getAccountName()).append('/').append(azureQueue.getQueueName());
        }
        if (sqsQueueUrl != null) {
            where.append(azureQueue != null ? " and" : "").append(" sqs ").append(sqsQueueUrl);
        }
        return where.toString();
    }

    @Override
    public Result apply(SyncPair pair, Verdict verdict) {
        ObjectInfo object = verdict.source();
        try {
            String id = pair.sourceKind() == StoreKind.AZURE_BLOB ? sendAzure(pair, object) : sendSqs(pair, object);
            return new Result(true, "enqueued", "message " + id, object.size());
        } catch (RuntimeException e) {
            // Queue clients fail with their own unchecked exception types; any of them means "not enqueued".
            return new Result(false, "failed:enqueue", e.getMessage(), 0);
        }
    }

    private String sendAzure(SyncPair pair, ObjectInfo object) {
        String event = SyntheticEvents.azureBlobCreated(pair.source().account(), pair.source().container(), object.key(),
                ReplicaCheck.unquoteEtag(object.etag()), object.size(), object.attributes().contentType(), null,
                blobEndpoint(pair), time(object));
        String message = Base64.getEncoder().encodeToString(event.getBytes(StandardCharsets.UTF_8));
        return AzureQueueSends.sendKeptUntilDeleted(azureQueue, message);
    }

    private String sendSqs(SyncPair pair, ObjectInfo object) {
        String body = SyntheticEvents.s3ObjectCreated(awsRegion, pair.source().container(), object.key(), object.size(),
                ReplicaCheck.unquoteEtag(object.etag()), object.versionId(), null, time(object));
        return sqs.sendMessage(r -> r.queueUrl(sqsQueueUrl).messageBody(body)).messageId();
    }

    /** The rule's endpoint: routing checks an Azure event's data.url against it. */
    private static String blobEndpoint(SyncPair pair) {
        String configured = pair.rule().azure().blobEndpoint();
        return configured != null ? configured : "https://" + pair.rule().azure().account() + ".blob.core.windows.net";
    }

    private java.time.Instant time(ObjectInfo object) {
        return object.lastModified() != null ? object.lastModified() : clock.instant();
    }
}
